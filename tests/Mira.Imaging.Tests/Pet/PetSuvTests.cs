using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Pet;
using Mira.Testing;

namespace Mira.Imaging.Tests.Pet;

public sealed class PetSuvTests
{
    // ../shared/corpus/oracle/pet-suv-expected.tsv: input, case, expected SUVbw factor of the first instance, absolute
    // tolerance (values are from calculate-suv's own tests). Rows whose case is "other" carry no factor.
    public static TheoryData<string, string, double, double> OracleRows()
    {
        var rows = new TheoryData<string, string, double, double>();
        foreach (var line in File.ReadLines(Path.Combine(Corpus.Root, "oracle", "pet-suv-expected.tsv")).Skip(1))
        {
            var c = line.Split('\t');
            if (c.Length < 4 || c[1] == "other" || !double.TryParse(c[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var expected)) continue;
            rows.Add(c[0], c[1], expected, double.Parse(c[3], CultureInfo.InvariantCulture));
        }
        return rows;
    }

    static IReadOnlyList<PetSuvInputs> Load(string input) =>
        PetSuvInputs.FromKeywordJsonArray(File.ReadAllText(Path.Combine(Corpus.Root, input)), input);

    static PetSuvInputs Siemens => Load("pet-suv/SIEMENS-instances.json")[0];

    static string Refusal(params PetSuvInputs[] series)
    {
        var r = PetSuv.Compute(series);
        Assert.False(r.Ok);
        return r.Refusal!;
    }

    [Fact]
    public void The_oracle_has_six_cases() => Assert.Equal(6, OracleRows().Count);

    [Theory]
    [MemberData(nameof(OracleRows))]
    public void Every_oracle_case_matches(string input, string name, double expected, double tolerance)
    {
        var series = Load(input);
        var r = PetSuv.Compute(series);
        Assert.True(r.Ok, $"{name}: {r.Refusal}");
        Assert.Equal(series.Count, r.Factors!.Count);
        Assert.InRange(r.Factors[0].SuvBw, expected - tolerance, expected + tolerance);
        // Tighter than the oracle asks: the same formula gives the same double up to time rounding (µs vs ms).
        Assert.InRange(Math.Abs(r.Factors[0].SuvBw - expected) / expected, 0, 1e-9);
        // One scan reference time per series: every instance has the first one's factor.
        Assert.All(r.Factors, f => Assert.Equal(r.Factors[0].SuvBw, f.SuvBw));
    }

    [Fact]
    public void Scan_time_rules_per_case()
    {
        Assert.Equal(PetScanTimeSource.SeriesDateTime, PetSuv.Compute(Load("pet-suv/SIEMENS-instances.json")).Factors![0].ScanTimeSource);
        // Series Time 12:35:15.000000 is 5 µs after Acquisition Time 12:35:14.999995.
        var ac = PetSuv.Compute(Load("pet-suv/BQML_AC_DT_lessThan_S_DT_SIEMENS-instances.json")).Factors![0];
        Assert.Equal(PetScanTimeSource.EarliestAcquisition, ac.ScanTimeSource);
        Assert.Equal(new DateTime(2020, 12, 17, 12, 35, 14).AddTicks(9_999_950), ac.ScanDateTime);
        var cps = PetSuv.Compute(Load("pet-suv/CPS_AND_BQML_AC_DT_-_S_DT-instances.json")).Factors![0];
        Assert.Equal(PetScanTimeSource.EarliestAcquisition, cps.ScanTimeSource);
        Assert.Equal(new DateTime(2020, 12, 17, 12, 0, 37), cps.InjectionDateTime); // no Start DateTime: the scan's date
        Assert.Equal(PetScanTimeSource.NotNeeded, PetSuv.Compute(Load("pet-suv/PHILIPS_CNTS_AND_BQML_SUV-instances.json")).Factors![0].ScanTimeSource);
    }

    [Fact]
    public void Philips_cnts_uses_the_suv_scale_factor_else_the_activity_concentration_factor_times_the_bqml_factor()
    {
        var cnts = Load("pet-suv/PHILIPS_CNTS_AND_BQML_SUV-instances.json");
        Assert.Equal(0.000551, PetSuv.Compute(cnts).Factors![0].SuvBw);
        var acOnly = cnts.Select(i => i with { PhilipsSuvScaleFactor = null }).ToArray();
        var bqml = PetSuv.Compute(cnts.Select(i => i with { Units = "BQML" }).ToArray()).Factors![0].SuvBw;
        Assert.Equal(1.602563 * bqml, PetSuv.Compute(acOnly).Factors![0].SuvBw, 15);
        var none = cnts.Select(i => i with { PhilipsSuvScaleFactor = null, PhilipsActivityConcentrationScaleFactor = null }).ToArray();
        Assert.Contains("CNTS but there is no Philips SUV Scale Factor", PetSuv.Compute(none).Refusal);
    }

    [Fact]
    public void Frame_reference_time_rule_back_computes_the_scan_start()
    {
        var series = Load("pet-suv/BQML_AC_DT_lessThan_S_DT_SIEMENS-instances.json");
        var r = PetSuv.Compute(series, PetSeriesAfterAcquisitionRule.FrameReferenceTime);
        Assert.True(r.Ok, r.Refusal);
        var f = r.Factors![0];
        Assert.Equal(PetScanTimeSource.FrameReferenceBackComputed, f.ScanTimeSource);
        // Frame Reference Time 59.937 s back, then forward by the average count-rate time of the 120 s frame (also
        // 59.937 s): this first bed position started the scan, so the back-computed time is its Acquisition Time.
        Assert.InRange((f.ScanDateTime!.Value - new DateTime(2020, 12, 17, 12, 35, 14).AddTicks(9_999_950)).TotalSeconds, -1e-3, 1e-3);
        Assert.InRange(f.SuvBw, 0.0004069156854009332 - 1e-6, 0.0004069156854009332 + 1e-6);
    }

    [Fact]
    public void Ge_private_scan_time_is_used_when_series_time_is_after_acquisition()
    {
        var i = Siemens with { SeriesTime = "120000", GePostInjectionDateTime = "20201217103000" };
        var f = PetSuv.Compute([i]).Factors![0];
        Assert.Equal(PetScanTimeSource.GePrivateScanDateTime, f.ScanTimeSource);
        Assert.Equal(67000 / (374e6 * Math.Pow(2, -7155 / 6586.2)), f.SuvBw, 15);
    }

    [Fact]
    public void Start_time_without_a_date_crosses_midnight()
    {
        var i = Siemens with
        {
            SeriesDate = "20201218", SeriesTime = "003000", AcquisitionDate = "20201218", AcquisitionTime = "003000",
            RadiopharmaceuticalStartDateTime = null, RadiopharmaceuticalStartTime = "233000",
        };
        var f = PetSuv.Compute([i]).Factors![0];
        Assert.Equal(3600, f.DecayTimeS);
        Assert.Equal(new DateTime(2020, 12, 17, 23, 30, 0), f.InjectionDateTime);
        // The same with an explicit Start DateTime on the day before.
        var g = PetSuv.Compute([i with { RadiopharmaceuticalStartDateTime = "20201217233000" }]).Factors![0];
        Assert.Equal(f.SuvBw, g.SuvBw);
        Assert.Equal(67000 / (374e6 * Math.Pow(2, -3600 / 6586.2)), f.SuvBw, 15);
    }

    [Fact]
    public void Admin_decay_correction_uses_the_dose_undecayed()
    {
        var f = PetSuv.Compute([Siemens with { DecayCorrection = "ADMIN" }]).Factors![0];
        Assert.Equal(67000 / 374e6, f.SuvBw, 15);
        Assert.Equal(0, f.DecayTimeS);
    }

    [Fact]
    public void Gml_is_one() => Assert.Equal(1.0, PetSuv.Compute([Siemens with { Units = "GML" }]).Factors![0].SuvBw);

    [Fact]
    public void Refusals_say_why()
    {
        Assert.Equal("Patient's Weight (0010,1030) is missing", Refusal(Siemens with { PatientWeightKg = null }));
        Assert.Contains("Patient's Weight (0010,1030) is 0", Refusal(Siemens with { PatientWeightKg = 0 }));
        Assert.StartsWith("Radionuclide Total Dose (0018,1074) is missing", Refusal(Siemens with { RadionuclideTotalDoseBq = null }));
        Assert.StartsWith("Radionuclide Half Life (0018,1075) is missing", Refusal(Siemens with { RadionuclideHalfLifeS = null }));
        Assert.StartsWith("Radiopharmaceutical Start Time (0018,1072) and Start DateTime (0018,1078) are missing",
            Refusal(Siemens with { RadiopharmaceuticalStartTime = null, RadiopharmaceuticalStartDateTime = null }));
        Assert.Equal("Units (0054,1001) 'PROPCPS' are not BQML, CNTS (with Philips scale factors) or GML", Refusal(Siemens with { Units = "PROPCPS" }));
        Assert.Equal("Units (0054,1001) is missing", Refusal(Siemens with { Units = null }));
        Assert.StartsWith("Decay Correction (0054,1102) is NONE", Refusal(Siemens with { DecayCorrection = "NONE" }));
        Assert.Equal("Decay Correction (0054,1102) is missing", Refusal(Siemens with { DecayCorrection = null }));
        Assert.EndsWith("lacks DECY: not decay corrected", Refusal(Siemens with { CorrectedImage = ["ATTN", "NORM"] }));
        Assert.EndsWith("lacks ATTN: not attenuation corrected", Refusal(Siemens with { CorrectedImage = ["DECY"] }));
        Assert.Equal("Series Time (0008,0031) is missing", Refusal(Siemens with { SeriesTime = null }));
        Assert.StartsWith("Acquisition Time (0008,0032) is missing", Refusal(Siemens with { AcquisitionTime = null }));
        Assert.Equal("Series Time '10xx29' is not a TM to the minute", Refusal(Siemens with { SeriesTime = "10xx29" }));
        Assert.StartsWith("the injection (2020-12-17 11:00:00.000000) is after the scan time (2020-12-17 10:48:29.000000, from Series Date/Time)",
            Refusal(Siemens with { RadiopharmaceuticalStartDateTime = "20201217110000" }));
        var a = Siemens with { Source = "a" };
        Assert.Equal("the instances are not one series: Patient's Weight of b differs from a", Refusal(a, a with { Source = "b", PatientWeightKg = 68 }));
        Assert.Equal("no instances", PetSuv.Compute([]).Refusal);
    }

    [Fact]
    public void Sul_and_bsa_follow_janmahasatian_and_du_bois()
    {
        var f = PetSuv.Compute(Load("pet-suv/GE_MEDICAL_AND_BQML-instances.json")).Factors![0];
        double w = 52, h = 1.65, bmi = w / (h * h);
        Assert.Equal(f.SuvBw * (9270 * w / (8780 + 244 * bmi)) / w, f.SuvLbm!.Value, 15);
        Assert.Equal(f.SuvBw * 0.007184 * Math.Pow(w, 0.425) * Math.Pow(165, 0.725) * 1e4 / (w * 1000), f.SuvBsa!.Value, 15);
        Assert.Null(PetSuv.Compute(Load("pet-suv/SIEMENS-instances.json")).Factors![0].SuvLbm); // no Patient's Size
    }

    [Fact]
    public void Reads_a_dicom_pet_image()
    {
        // TCIA ACRIN-FLT-Breast (CC-BY-3.0): BQML, START, Series = Acquisition 15:23:16.921, injection 14:17:00, no Start DateTime.
        var file = DicomFile.Open(Path.Combine(Corpus.Root, "dicom/modality/PT/acrin_flt_breast_pt_1.dcm"));
        var inputs = PetSuvInputs.FromDataset(file.Dataset, "acrin");
        Assert.Equal("BQML", inputs.Units);
        Assert.Equal(6586.2, inputs.RadionuclideHalfLifeS);
        var f = PetSuv.Compute([inputs]).Factors![0];
        var dt = (15 * 3600 + 23 * 60 + 16.921) - (14 * 3600 + 17 * 60);
        Assert.Equal(dt, f.DecayTimeS!.Value, 6);
        Assert.Equal(69734.4 / (178340011.59668 * Math.Pow(2, -dt / 6586.2)), f.SuvBw, 15);
    }

    [Fact]
    public void Reads_philips_private_factors_from_a_data_set()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomTag(0x7053, 0x0010), DicomVR.LO, "Philips PET Private Group");
        ds.Set(new DicomTag(0x7053, 0x1000), DicomVR.DS, "0.000551");
        ds.Set(new DicomTag(0x7053, 0x1009), DicomVR.DS, "1.602563");
        var i = PetSuvInputs.FromDataset(ds);
        Assert.Equal(0.000551, i.PhilipsSuvScaleFactor);
        Assert.Equal(1.602563, i.PhilipsActivityConcentrationScaleFactor);
    }
}
