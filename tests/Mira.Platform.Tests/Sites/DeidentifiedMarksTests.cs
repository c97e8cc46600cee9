using Mira.Deid;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Sites;

namespace Mira.Platform.Tests.Sites;

/// <summary>The hub's check of what a site pushes: the project recipe's de-identification marks (PS3.15 §E.1.1) and pseudonym forms.</summary>
public class DeidentifiedMarksTests
{
    static readonly ProjectKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    static DicomDataset Identified()
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        ds.Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        ds.Set(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.2.1125.1.3");
        ds.Set(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.2.1125.1.1");
        ds.Set(DicomTags.SeriesInstanceUID, "1.2.826.0.1.3680043.2.1125.1.2");
        ds.Set(DicomTags.Modality, "CT");
        ds.Set(DicomTags.PatientName, "Müller^Hans");
        ds.Set(DicomTags.PatientID, "MRN-0042");
        ds.Set(DicomTags.PatientBirthDate, "19610412");
        ds.Set(DicomTags.AccessionNumber, "ACC-1");
        ds.Set(DicomTags.StudyDate, "20240115");
        return ds;
    }

    static (DicomDataset Dataset, DeidEngine Engine) Deidentified(DeidRecipe recipe)
    {
        var engine = new DeidEngine(recipe, Key);
        var r = engine.Deidentify(Identified(), TransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(DeidStatus.Deidentified, r.Status);
        return (r.Dataset!, engine);
    }

    [Fact]
    public void An_instance_the_project_recipe_deidentified_passes() =>
        Assert.Null(DeidentifiedMarks.Check(Deidentified(DeidRecipe.Research).Dataset, new DeidEngine(DeidRecipe.Research, Key)));

    [Fact]
    public void An_identified_instance_is_refused_for_its_missing_patient_identity_removed() =>
        Assert.Contains("Patient Identity Removed (0012,0062)", DeidentifiedMarks.Check(Identified(), new DeidEngine(DeidRecipe.Research, Key)));

    [Fact]
    public void An_instance_deidentified_by_another_recipe_is_refused_for_its_method()
    {
        var (ds, _) = Deidentified(DeidRecipe.Basic);
        Assert.Contains("De-identification Method (0012,0063)", DeidentifiedMarks.Check(ds, new DeidEngine(DeidRecipe.Research, Key)));
    }

    [Fact]
    public void A_forged_method_text_without_the_recipe_codes_is_refused_for_the_code_sequence()
    {
        var (ds, engine) = Deidentified(DeidRecipe.Research);
        var codes = new DicomSequence(DicomTags.DeidentificationMethodCodeSequence);
        var item = new DicomDataset();
        item.Set(DicomTags.CodeValue, "113100");
        item.Set(DicomTags.CodingSchemeDesignator, "DCM");
        codes.Add(item);
        ds.Set(codes);
        Assert.Contains("(0012,0064)", DeidentifiedMarks.Check(ds, engine));
    }

    [Fact]
    public void Marks_on_an_instance_that_kept_its_patient_id_or_uids_are_refused()
    {
        var (ds, engine) = Deidentified(DeidRecipe.Research);
        ds.Set(DicomTags.PatientID, "MRN-0042");
        Assert.Contains("Patient ID (0010,0020)", DeidentifiedMarks.Check(ds, engine));
        (ds, engine) = Deidentified(DeidRecipe.Research);
        ds.Set(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.2.1125.1.1");
        Assert.Contains("Study Instance UID (0020,000D)", DeidentifiedMarks.Check(ds, engine));
    }

    [Fact]
    public void The_same_key_gives_the_same_pseudonyms_on_two_sites()
    {
        var (a, _) = Deidentified(DeidRecipe.Research);
        var (b, _) = Deidentified(DeidRecipe.Research);
        Assert.Equal(a.GetString(DicomTags.PatientID), b.GetString(DicomTags.PatientID));
        Assert.Equal(a.GetString(DicomTags.StudyInstanceUID), b.GetString(DicomTags.StudyInstanceUID));
        var other = new DeidEngine(DeidRecipe.Research, new ProjectKey(new byte[32])).Deidentify(Identified(), TransferSyntax.ExplicitVRLittleEndian);
        Assert.NotEqual(a.GetString(DicomTags.PatientID), other.Dataset!.GetString(DicomTags.PatientID));
    }
}

/// <summary>The site's own floor: it never pushes under a recipe that keeps direct identifiers, whatever the hub hands it.</summary>
public class SitePushDeclineTests
{
    [Fact]
    public void A_site_declines_a_recipe_that_keeps_the_patient_name()
    {
        var keeps = DeidRecipe.FromJson("""
            { "name": "keeps-names", "version": "1", "profile": "basic", "overrides": [ { "tag": "(0010,0010)", "action": "K" } ] }
            """);
        Assert.Contains("keeps direct identifiers", SitePush.DeclineReason(keeps));
        Assert.Null(SitePush.DeclineReason(DeidRecipe.Research));
        Assert.Null(SitePush.DeclineReason(DeidRecipe.Basic));
    }
}
