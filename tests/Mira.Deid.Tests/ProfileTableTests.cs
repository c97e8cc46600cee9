using Mira.Dicom;
using Mira.StandardGen;
using Mira.Testing;

namespace Mira.Deid.Tests;

public sealed class ProfileTableTests
{
    static string StandardDir => Path.Combine(Corpus.SharedRoot, "dicom-standard");
    static string GeneratedDir => Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Deid", "Generated");

    [Fact]
    public void Generated_table_matches_the_standard()
    {
        Assert.Empty(ConfidentialityProfileGenerator.Check(StandardDir, GeneratedDir));
        var dir = Directory.CreateTempSubdirectory("mira-gen-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, ConfidentialityProfileGenerator.FileName), "// stale\n");
            Assert.NotEmpty(ConfidentialityProfileGenerator.Check(StandardDir, dir.FullName));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Every_row_of_Table_E1_1_is_generated_except_the_private_wildcard()
    {
        Assert.Equal(620, ConfidentialityProfileTable.Rows.Length);
        var acc = ConfidentialityProfile.RowFor(DicomTags.AccessionNumber)!.Value;
        Assert.Equal(ProfileAction.Z, acc.Basic);
        var overlay = ConfidentialityProfile.RowFor(new DicomTag(0x6002, 0x3000))!.Value;
        Assert.Equal(ProfileAction.X, overlay.Basic);
        Assert.Equal(ProfileAction.C, overlay.Graphics);
        Assert.Null(ConfidentialityProfile.RowFor(DicomTags.PatientIdentityRemoved));
    }

    [Theory]
    [InlineData(DeidOptions.None, 0x00080020u, ProfileAction.Z)]                                        // Study Date
    [InlineData(DeidOptions.RetainLongitudinalModifiedDates, 0x00080020u, ProfileAction.C)]
    [InlineData(DeidOptions.RetainLongitudinalFullDates, 0x00080020u, ProfileAction.K)]
    [InlineData(DeidOptions.None, 0x0008002Au, ProfileAction.D)]                                        // X/Z/D → D
    [InlineData(DeidOptions.None, 0x00080022u, ProfileAction.Z)]                                        // X/Z → Z
    [InlineData(DeidOptions.CleanStructuredContent, 0x00400555u, ProfileAction.C)]
    [InlineData(DeidOptions.None, 0x00081140u, ProfileAction.XZUStar)]                                  // Referenced Image Sequence
    [InlineData(DeidOptions.None, 0x00101030u, ProfileAction.X)]                                        // Patient's Weight
    [InlineData(DeidOptions.RetainPatientCharacteristics, 0x00101030u, ProfileAction.K)]
    [InlineData(DeidOptions.RetainDeviceIdentity, 0x00181000u, ProfileAction.K)]                       // Device Serial Number
    [InlineData(DeidOptions.RetainInstitutionIdentity, 0x00080080u, ProfileAction.K)]
    [InlineData(DeidOptions.RetainUids, 0x0020000Du, ProfileAction.K)]
    [InlineData(DeidOptions.CleanDescriptors, 0x00081030u, ProfileAction.C)]
    [InlineData(DeidOptions.None, 0x50020000u + 0x3000u, ProfileAction.X)]                              // curve data 50xx
    [InlineData(DeidOptions.None, 0x00100040u, ProfileAction.Z)]                                        // Patient's Sex
    public void Options_resolve_to_the_action_of_their_column(DeidOptions options, uint tag, ProfileAction expected) =>
        Assert.Equal(expected, new ConfidentialityProfile(options).ActionFor(new DicomTag(tag)));

    [Fact]
    public void Full_and_modified_dates_exclude_each_other() =>
        Assert.Throws<ArgumentException>(() => new ConfidentialityProfile(DeidOptions.RetainLongitudinalFullDates | DeidOptions.RetainLongitudinalModifiedDates));

    [Fact]
    public void Odd_repeating_groups_are_not_overlays() =>
        Assert.Equal(ProfileAction.None, new ConfidentialityProfile(DeidOptions.None).ActionFor(new DicomTag(0x6001, 0x3000)));
}

public sealed class SequenceChoiceTests
{
    [Fact]
    public void X_Z_on_a_sequence_removes_it_except_the_Type_2_Acquisition_Context_Sequence()
    {
        var p = new ConfidentialityProfile(DeidOptions.None);
        Assert.Equal(ProfileAction.X, p.ActionFor(Mira.Dicom.DicomTags.ReferencedStudySequence, isSequence: true));
        Assert.Equal(ProfileAction.Z, p.ActionFor(Mira.Dicom.DicomTags.AcquisitionContextSequence, isSequence: true));
    }
}
