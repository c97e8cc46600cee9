using Mira.Dicom;

namespace Mira.Deid.Tests;

/// <summary>Each action of PS3.15 Table E.1-1, applied at the top level and inside sequences, with the Basic Profile.</summary>
public sealed class ActionTests
{
    [Fact]
    public void X_removes_at_every_level()
    {
        var o = TestData.Deid(TestData.Instance());
        Assert.Null(o.Find(DicomTags.AdmittingDiagnosesDescription));    // X
        Assert.Null(o.Find(DicomTags.RequestAttributesSequence));        // X on a sequence
        Assert.Null(o.Find(DicomTags.OtherPatientIDsSequence));
        Assert.Null(o.Find(DicomTags.PatientWeight));                    // X without Retain Patient Characteristics
        Assert.Null(o.Find(DicomTags.EthnicGroup));
        Assert.Null(o.Find(DicomTags.StudyDescription));
    }

    [Fact]
    public void Z_leaves_an_empty_value()
    {
        var o = TestData.Deid(TestData.Instance());
        Assert.Equal(0, o.Get(DicomTags.AccessionNumber).Length);
        Assert.Equal(0, o.Get(DicomTags.StudyDate).Length);
        Assert.Equal(0, o.Get(DicomTags.PatientBirthDate).Length);
        Assert.Equal(0, o.Get(DicomTags.ReferringPhysicianName).Length);
        Assert.Equal(0, o.Get(DicomTags.PatientSex).Length);
    }

    [Fact]
    public void D_gives_a_dummy_of_the_VR()
    {
        var o = TestData.Deid(TestData.Instance());
        Assert.Equal(DummyValues.Text, o.Str(DicomTags.InstitutionName));   // X/Z/D → D
        Assert.Equal(DummyValues.Text, o.Str(DicomTags.OperatorsName));
        Assert.Equal(DummyValues.Text, o.Str(DicomTags.DeviceSerialNumber));
        Assert.Equal(DummyValues.Text, o.Str(DicomTags.StationName));       // X/Z/D → D
        Assert.Equal("000000", DummyValues.For(DicomTags.StudyTime, DicomVR.TM).TextValues![0]);
        Assert.Equal(4, DummyValues.For(DicomTags.Rows, DicomVR.UL).Length);
    }

    [Fact]
    public void K_keeps_and_unlisted_public_attributes_are_kept()
    {
        var o = TestData.Deid(TestData.Instance());
        Assert.Equal("CT", o.Str(DicomTags.Modality));
        Assert.Equal("Acme", o.Str(DicomTags.Manufacturer));
        Assert.Equal(DicomUids.CTImageStorage, o.Str(DicomTags.SOPClassUID));
    }

    [Fact]
    public void U_replaces_UIDs_consistently_with_2_25_UIDs_from_the_key()
    {
        var engine = TestData.Engine();
        var a = TestData.Deid(TestData.Instance(sopUid: "1.2.3.4.5.6"), engine);
        var b = TestData.Deid(TestData.Instance(sopUid: "1.2.3.4.5.7"), engine);
        Assert.StartsWith("2.25.", a.Str(DicomTags.SOPInstanceUID));
        Assert.Equal(a.Str(DicomTags.StudyInstanceUID), b.Str(DicomTags.StudyInstanceUID));
        Assert.NotEqual(a.Str(DicomTags.SOPInstanceUID), b.Str(DicomTags.SOPInstanceUID));
        // a references 1.2.3.4.5.7 (inside Referenced Image Sequence, X/Z/U*): it resolves to b's new SOP Instance UID.
        var item = a.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0];
        Assert.Equal(b.Str(DicomTags.SOPInstanceUID), item.Str(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal(DicomUids.CTImageStorage, item.Str(DicomTags.ReferencedSOPClassUID));
        var other = TestData.Deid(TestData.Instance(sopUid: "1.2.3.4.5.6"), TestData.Engine(key: TestData.OtherKey));
        Assert.NotEqual(a.Str(DicomTags.SOPInstanceUID), other.Str(DicomTags.SOPInstanceUID));
        Assert.Contains(engine.MappingRecords, r => r.Kind == PseudonymKind.Uid && r.Original == "1.2.3.4" && r.Pseudonym == a.Str(DicomTags.StudyInstanceUID));
    }

    [Fact]
    public void Actions_apply_recursively_inside_sequences()
    {
        var o = TestData.Deid(TestData.Instance());
        var nested = o.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0].GetSequence(DicomTags.PurposeOfReferenceCodeSequence)!.Items[0];
        Assert.Equal(0, nested.Get(DicomTags.PatientName).Length);          // Z inside, two levels down
        Assert.Equal("19000101", nested.Str(DicomTags.ContentDate));       // Z/D → D, a dummy date
    }

    [Fact]
    public void Patient_ID_and_name_become_keyed_pseudonyms()
    {
        var engine = TestData.Engine();
        var o = TestData.Deid(TestData.Instance(), engine);
        var id = o.Str(DicomTags.PatientID)!;
        Assert.Matches("^P[0-9]{15}$", id);
        Assert.Equal("ANON^" + id, o.Str(DicomTags.PatientName));
        Assert.Equal(id, TestData.Deid(TestData.Instance(studyUid: "9.8.7"), TestData.Engine()).Str(DicomTags.PatientID));
        Assert.NotEqual(id, TestData.Deid(TestData.Instance(), TestData.Engine(key: TestData.OtherKey)).Str(DicomTags.PatientID));
        Assert.NotEqual(id, TestData.Deid(TestData.Instance(patientId: "MRN0002"), engine).Str(DicomTags.PatientID));
        Assert.Contains(engine.MappingRecords, r => r.Kind == PseudonymKind.PatientId && r.Original == "MRN0001" && r.Pseudonym == id);
        Assert.Contains(engine.MappingRecords, r => r.Kind == PseudonymKind.PatientName && r.Original == "Müller^Jürgen");
    }

    [Fact]
    public void Private_elements_are_removed_with_their_creators()
    {
        var o = TestData.Deid(TestData.Instance());
        Assert.DoesNotContain(o, e => e.Tag.IsPrivate);
    }

    [Fact]
    public void Safe_private_elements_are_kept_with_their_creator_under_the_option()
    {
        var recipe = TestData.With(DeidOptions.RetainSafePrivate) with { SafePrivate = [new SafePrivateElement("SYNTH PRIVATE", "0009", "02")] };
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(recipe));
        Assert.Equal("keep me", o.Str(new DicomTag(0x0009, 0x1002)));
        Assert.Equal("SYNTH PRIVATE", o.Str(new DicomTag(0x0009, 0x0010)));
        Assert.Null(o.Find(new DicomTag(0x0009, 0x1001)));
        var without = TestData.Deid(TestData.Instance(), TestData.Engine(recipe with { Options = [] }));
        Assert.DoesNotContain(without, e => e.Tag.IsPrivate);
    }

    [Fact]
    public void Deidentification_attributes_are_set()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(DeidRecipe.Research));
        Assert.Equal("YES", o.Str(DicomTags.PatientIdentityRemoved));
        Assert.StartsWith("Mira research v1", o.Str(DicomTags.DeidentificationMethod));
        Assert.Equal("MODIFIED", o.Str(DicomTags.LongitudinalTemporalInformationModified));
        var codes = o.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items.Select(i => i.Str(DicomTags.CodeValue) ?? "").ToArray();
        Assert.Equal(["113100", "113104", "113105", "113107", "113108"], codes);
        Assert.All(o.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items, i => Assert.Equal("DCM", i.Str(DicomTags.CodingSchemeDesignator)));
        Assert.Equal("REMOVED", TestData.Deid(TestData.Instance()).Str(DicomTags.LongitudinalTemporalInformationModified));
    }

    [Fact]
    public void Overlays_and_curves_are_removed_without_Clean_Graphics()
    {
        var ds = TestData.Instance();
        ds.Set(new DicomElement(new DicomTag(0x6000, 0x0010), DicomVR.US, new byte[] { 4, 0 }));
        ds.Set(new DicomElement(new DicomTag(0x6000, 0x3000), DicomVR.OW, new byte[4]));
        ds.Set(new DicomElement(new DicomTag(0x5000, 0x0005), DicomVR.US, new byte[] { 1, 0 }));
        ds.Set(new DicomElement(new DicomTag(0x5000, 0x3000), DicomVR.OW, new byte[4]));
        var o = TestData.Deid(ds);
        Assert.DoesNotContain(o, e => e.Tag.Group is 0x6000 or 0x5000);
    }

    [Fact]
    public void Recipe_overrides_win_over_the_table()
    {
        var recipe = DeidRecipe.Basic with
        {
            Name = "o", Overrides = [new RecipeOverride("(0008,0070)", "X"), new RecipeOverride("(0008,1030)", "D", "CHEST CT"), new RecipeOverride("(0008,1010)", "K")],
        };
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(recipe));
        Assert.Null(o.Find(DicomTags.Manufacturer));
        Assert.Equal("CHEST CT", o.Str(DicomTags.StudyDescription));
        Assert.Equal("CT01", o.Str(DicomTags.StationName));
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_dropped()
    {
        var ds = TestData.Instance();
        var inner = new DicomDataset();
        inner.Set(DicomTags.Manufacturer, "DEEPVALUE");
        for (var i = 0; i < DatasetDeidentifier.MaxDepth + 3; i++)
        {
            var outer = new DicomDataset();
            outer.Set(new DicomSequence(DicomTags.ContentSequence, [inner]));
            inner = outer;
        }
        ds.Set(new DicomSequence(DicomTags.DerivationCodeSequence, [inner]));
        var o = TestData.Deid(ds, TestData.Engine(TestData.With(DeidOptions.CleanStructuredContent)));
        var text = new StringWriter();
        DicomDump.WriteDataset(text, o, 0);
        Assert.DoesNotContain("DEEPVALUE", text.ToString());
        var shallow = new DicomDataset();
        shallow.Set(DicomTags.Manufacturer, "DEEPVALUE");
        var ds2 = TestData.Instance();
        ds2.Set(new DicomSequence(DicomTags.DerivationCodeSequence, [shallow]));
        var kept = new StringWriter();
        DicomDump.WriteDataset(kept, TestData.Deid(ds2), 0);
        Assert.Contains("DEEPVALUE", kept.ToString());
    }
}
