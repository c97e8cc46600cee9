using Mira.Dicom;

namespace Mira.Deid.Tests;

/// <summary>The options of PS3.15 §E.3 on the same instance.</summary>
public sealed class OptionTests
{
    [Fact]
    public void Retain_patient_characteristics_keeps_sex_age_weight_and_ethnic_group()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(TestData.With(DeidOptions.RetainPatientCharacteristics)));
        Assert.Equal("M", o.Str(DicomTags.PatientSex));
        Assert.Equal("067Y", o.Str(DicomTags.PatientAge));
        Assert.Equal("80.5", o.Str(DicomTags.PatientWeight));
        Assert.Equal("SYNTH", o.Str(DicomTags.EthnicGroup));
    }

    [Fact]
    public void Retain_device_and_institution_identity()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(TestData.With(DeidOptions.RetainDeviceIdentity, DeidOptions.RetainInstitutionIdentity)));
        Assert.Equal("SN-123", o.Str(DicomTags.DeviceSerialNumber));
        Assert.Equal("CT01", o.Str(DicomTags.StationName));
        Assert.Equal("St. Elsewhere General", o.Str(DicomTags.InstitutionName));
    }

    [Fact]
    public void Retain_UIDs_keeps_them()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(TestData.With(DeidOptions.RetainUids)));
        Assert.Equal("1.2.3.4", o.Str(DicomTags.StudyInstanceUID));
        Assert.Equal("1.2.3.4.5.6", o.Str(DicomTags.SOPInstanceUID));
    }

    [Fact]
    public void Full_dates_are_kept()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(TestData.With(DeidOptions.RetainLongitudinalFullDates)));
        Assert.Equal("20240315", o.Str(DicomTags.StudyDate));
        Assert.Equal("231500", o.Str(DicomTags.StudyTime));
        Assert.Equal("UNMODIFIED", o.Str(DicomTags.LongitudinalTemporalInformationModified));
    }

    [Fact]
    public void Modified_dates_shift_date_and_time_together_by_the_patients_offset()
    {
        var engine = TestData.Engine(TestData.With(DeidOptions.RetainLongitudinalModifiedDates));
        var shift = engine.Pseudonyms.ShiftFor("MRN0001");
        Assert.InRange(shift.Days, -365, -1);
        Assert.InRange(shift.Seconds, -4 * 3600, -3600);
        var o = TestData.Deid(TestData.Instance(), engine);
        var before = new DateTime(2024, 3, 15, 23, 15, 0);
        var after = DateTime.ParseExact(o.Str(DicomTags.StudyDate) + o.Str(DicomTags.StudyTime), "yyyyMMddHHmmss", null);
        Assert.Equal(shift.TotalSeconds, (long)(after - before).TotalSeconds);
        // Series Date has no Series Time here: it moves by whole days.
        Assert.Equal(new DateTime(2024, 3, 15).AddDays(shift.Days).ToString("yyyyMMdd"), o.Str(DicomTags.SeriesDate));
        Assert.Equal(0, o.Get(DicomTags.PatientBirthDate).Length);  // birth date is Z in every column but Basic
    }

    [Fact]
    public void Clean_descriptors_removes_identifying_text_and_keeps_the_rest()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(TestData.With(DeidOptions.CleanDescriptors)));
        Assert.Equal("CT chest for *, call *", o.Str(DicomTags.StudyDescription));
    }

    [Fact]
    public void Clean_structured_content_keeps_the_tree_and_cleans_its_text()
    {
        static DicomDataset Sr()
        {
            var ds = TestData.Instance();
            var item = new DicomDataset();
            item.Set(DicomTags.ValueType, "TEXT");
            item.Set(DicomTags.TextValue, "Seen by Dr House on 2024-03-15; patient Müller, MRN0001");
            item.Set(DicomTags.PersonName, "House^Gregory");
            ds.Set(new DicomSequence(DicomTags.ContentSequence, [item]));
            return ds;
        }
        var cleaned = TestData.Deid(Sr(), TestData.Engine(TestData.With(DeidOptions.CleanStructuredContent)));
        var ci = cleaned.GetSequence(DicomTags.ContentSequence)!.Items[0];
        Assert.Equal("Seen by Dr * on *; patient *, *", ci.Str(DicomTags.TextValue));
        Assert.Equal(DummyValues.Text, ci.Str(DicomTags.PersonName));
        // Basic Profile: Content Sequence is D, so the tree stays and its free text becomes a dummy.
        var basic = TestData.Deid(Sr(), TestData.Engine()).GetSequence(DicomTags.ContentSequence)!.Items[0];
        Assert.Equal("TEXT", basic.Str(DicomTags.ValueType));
        Assert.Equal(DummyValues.Text, basic.Str(DicomTags.TextValue));
    }

    [Fact]
    public void Retain_safe_private_requires_the_list()
    {
        var o = TestData.Deid(TestData.Instance(), TestData.Engine(TestData.With(DeidOptions.RetainSafePrivate)));
        Assert.DoesNotContain(o, e => e.Tag.IsPrivate);
    }
}
