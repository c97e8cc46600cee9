using Mira.Dicom;
using Mira.Server.Web;
using Mira.Storage.Security;

namespace Mira.Server.Tests.Web;

/// <summary>The archive and audit search forms turned into queries: what each field becomes, and what is refused by name.</summary>
public sealed class WebSearchFormTests
{
    static ArchiveSearch Archive(string? name = null, string? pid = null, string? from = null, string? to = null, string? modality = null,
        string? accession = null, int offset = 0) => new(name, pid, from, to, modality, accession, offset);

    [Fact]
    public void Archive_fields_become_QIDO_matching_keys_with_a_date_range_and_one_extra_row_for_paging()
    {
        var q = Archive(" DEMO^* ", "DEMO-0001", "2024-03-01", "2024-03-31", "mr", "ACC*", 25).ToQuery(out var error);
        Assert.Null(error);
        Assert.Equal(new Dictionary<DicomTag, string>
        {
            [DicomTags.PatientName] = "DEMO^*", [DicomTags.PatientID] = "DEMO-0001", [DicomTags.AccessionNumber] = "ACC*",
            [DicomTags.ModalitiesInStudy] = "MR", [DicomTags.StudyDate] = "20240301-20240331",
        }, q.Matches.ToDictionary(m => m.Tag, m => m.Value));
        Assert.Equal((ArchiveSearch.PageSize + 1, 25), (q.Limit, q.Offset));
        Assert.Equal("20240310-", Archive(from: "2024-03-10").ToQuery(out _).Matches.Single().Value);
        Assert.Equal("-20240310", Archive(to: "2024-03-10").ToQuery(out _).Matches.Single().Value);
        Assert.Empty(Archive().ToQuery(out error).Matches);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("from", "2024-02-30", "From: '2024-02-30' is not a date")]
    [InlineData("to", "03/10/2024", "To: '03/10/2024' is not a date")]
    [InlineData("modality", "C*", "Modality: 'C*' is not a modality")]
    [InlineData("name", "A\\B", "Patient name: '\\' separates multiple values")]
    [InlineData("pid", "0123456789012345678901234567890123456789012345678901234567890123456789", "Patient ID: at most 64 characters")]
    [InlineData("offset", "-1", "offset: a number from 0")]
    public void Wrong_archive_fields_are_refused_naming_the_field(string field, string value, string message)
    {
        var search = field switch
        {
            "from" => Archive(from: value), "to" => Archive(to: value), "modality" => Archive(modality: value), "name" => Archive(name: value),
            "pid" => Archive(pid: value), _ => Archive(offset: int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
        };
        search.ToQuery(out var error);
        Assert.NotNull(error);
        Assert.StartsWith(message, error);
    }

    [Fact]
    public void An_archive_date_range_that_ends_before_it_starts_is_refused()
    {
        Archive(from: "2024-03-20", to: "2024-03-01").ToQuery(out var error);
        Assert.Equal("Study date: 'From' is after 'To'.", error);
    }

    [Fact]
    public void Pager_links_keep_the_search_and_change_only_the_offset()
    {
        Assert.Equal("?name=DEMO%5E%2A&modality=CT&offset=50", Archive("DEMO^*", modality: "CT").QueryString(50));
        Assert.Equal("", Archive().QueryString(0));
        Assert.Equal("?actor=bob&outcome=denied&before=17", new AuditSearch("bob", "", "denied", null, null, "99").QueryString(17));
    }

    [Fact]
    public void Audit_fields_become_a_filter_whose_last_day_is_included()
    {
        var f = new AuditSearch(" bob ", "project.", "denied", "2026-03-01", "2026-03-02", "120").ToFilter(out var error);
        Assert.Null(error);
        Assert.Equal(new AuditFilter("bob", "project.", AuditOutcome.Denied, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero), 120), f);
        Assert.Equal(new AuditFilter(), new AuditSearch(null, " ", "", null, null, null).ToFilter(out error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("maybe", null, null, "Outcome: 'maybe' is not one of success, denied, failure.")]
    [InlineData(null, "2026-13-01", null, "From: '2026-13-01' is not a date (YYYY-MM-DD).")]
    [InlineData(null, "2026-03-05", "2026-03-01", "Time: 'From' is after 'To'.")]
    [InlineData(null, null, "x", "before: 'x' is not a record number.")]
    public void Wrong_audit_fields_are_refused_naming_the_field(string? outcome, string? from, string? toOrBefore, string message)
    {
        var search = toOrBefore == "x" ? new AuditSearch(null, null, outcome, from, null, "x") : new AuditSearch(null, null, outcome, from, toOrBefore, null);
        search.ToFilter(out var error);
        Assert.Equal(message, error);
    }
}
