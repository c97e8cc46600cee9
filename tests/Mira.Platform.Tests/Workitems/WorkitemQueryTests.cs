using Mira.Dicom;
using Mira.Platform.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Tests.Workitems;

/// <summary>The worklist search's matching (PS3.4 §C.2.2.2 as QIDO-RS uses it) on work item data sets.</summary>
public sealed class WorkitemQueryTests
{
    static readonly DicomDataset Item = new DicomDataset()
        .Set(T.SOPInstanceUID, "2.25.7")
        .Set(T.WorklistLabel, "ai-lung")
        .Set(T.ScheduledProcedureStepStartDateTime, "20260301120000")
        .Set(T.PatientName, "Doe^Jane")
        .Set(new DicomSequence(T.ScheduledWorkitemCodeSequence, [new DicomDataset().Set(T.CodeValue, "AI-INFERENCE").Set(T.CodingSchemeDesignator, "99MIRA")]));

    static bool Matches(string value, params DicomTag[] path) => new WorkitemQuery([new WorkitemMatchKey(path, value)]).Matches(Item);

    [Theory]
    [InlineData("ai-lung", true)]
    [InlineData("ai-*", true)]
    [InlineData("ai-l??g", true)]
    [InlineData("AI-LUNG", false)]
    [InlineData("ai-liver", false)]
    [InlineData("", true)]
    public void Text_matches_exactly_or_with_wildcards(string value, bool expected) => Assert.Equal(expected, Matches(value, T.WorklistLabel));

    [Theory]
    [InlineData("20260301000000-20260302000000", true)]
    [InlineData("20260301130000-", false)]
    [InlineData("-20260301120000", true)]
    [InlineData("20260301120000", true)]
    public void Date_times_match_ranges(string value, bool expected) => Assert.Equal(expected, Matches(value, T.ScheduledProcedureStepStartDateTime));

    [Fact]
    public void Uids_match_lists_names_ignore_case_and_sequences_match_any_item()
    {
        Assert.True(Matches("2.25.1\\2.25.7", T.SOPInstanceUID));
        Assert.False(Matches("2.25.1\\2.25.70", T.SOPInstanceUID));
        Assert.True(Matches("doe*", T.PatientName));
        Assert.True(Matches("AI-INFERENCE", T.ScheduledWorkitemCodeSequence, T.CodeValue));
        Assert.False(Matches("OTHER", T.ScheduledWorkitemCodeSequence, T.CodeValue));
        Assert.False(Matches("x", T.ProcedureStepLabel));
    }
}
