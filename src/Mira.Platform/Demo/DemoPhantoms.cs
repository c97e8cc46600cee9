using Mira.Dicom;

namespace Mira.Platform.Demo;

internal sealed record DemoPatient(string Name, string Id, string BirthDate, string Sex, string Age, string SizeM, string WeightKg);

internal sealed record DemoWindow(string Center, string Width);

internal sealed record DemoRescale(string Intercept, string Slope, string? Type);

/// <summary>An axis-aligned ellipsoid (centre and semi-axes in mm, patient coordinates) and the value inside it.</summary>
internal sealed record Ellipsoid(double X, double Y, double Z, double A, double B, double C, double Value)
{
    public bool Contains(double x, double y, double z)
    {
        double dx = (x - X) / A, dy = (y - Y) / B, dz = (z - Z) / C;
        return dx * dx + dy * dy + dz * dz <= 1;
    }
}

/// <summary>One demo series: patient, study, geometry, pixel encoding and the phantom (later ellipsoids overwrite earlier ones).</summary>
internal sealed record DemoSeries(
    string Key, int Seed, DemoPatient Patient, string SopClassUid, string Modality,
    string StudyDate, string StudyTime, string SeriesTime, string StudyId, string Accession,
    string StudyDescription, string SeriesDescription, string BodyPart, string[] ImageType,
    int Slices, double PixelSpacing, double SliceThickness, double SliceSpacing, double FirstSliceZ,
    ushort BitsStored, bool Signed, DemoWindow Window, DemoRescale? Rescale,
    double Background, IReadOnlyList<Ellipsoid> Phantom, double Noise, Func<double, int> ToStored,
    Action<DicomDataset, int> AddModalityAttributes, string? StudyKey = null, int SeriesNumber = 1)
{
    /// <summary>The study (and Frame of Reference) this series belongs to: its own key unless it joins another series' study.</summary>
    public string Study => StudyKey ?? Key;

    /// <summary>Institution Name (the site); the demo hospital unless a cohort spreads its patients over sites.</summary>
    public string Institution { get; init; } = "Mira Demo Hospital";

    /// <summary>Manufacturer's Model Name (the device); "Synthetic phantom" and the modality unless given.</summary>
    public string? DeviceModel { get; init; }

    public double Value(double x, double y, double z)
    {
        var v = Background;
        foreach (var e in Phantom)
            if (e.Contains(x, y, z)) v = e.Value;
        return v;
    }
}

/// <summary>The four demo series (the PET study is a PET-CT: PET and its CT share the study and Frame of Reference). Values: CT in HU, MR in arbitrary T1-like units, PET in Bq/ml.</summary>
internal static class DemoPhantoms
{
    public const double PetSlope = 2.0;
    public const string FdgHalfLife = "6586.2";

    static readonly DemoPatient Carol = new("DEMO^CAROL", "DEMO-0003", "19650920", "F", "058Y", "1.70", "68");

    public static IReadOnlyList<DemoSeries> All { get; } = [Ct(), Mr(), Pet(), PetCt()];

    static int Clamp(double v, int min, int max) => (int)Math.Clamp(Math.Round(v), min, max);

    static DemoSeries Ct() => new(
        "ct", 1, new DemoPatient("DEMO^ALICE", "DEMO-0001", "19700101", "F", "054Y", "1.65", "62"),
        DemoStudies.CtImageStorage, "CT", "20240304", "091500", "092000", "DEMO1", "DEMOACC0001",
        "DEMO CT abdomen (synthetic phantom)", "Axial 5 mm", "ABDOMEN", ["ORIGINAL", "PRIMARY", "AXIAL"],
        DemoStudies.CtSlices, 2.5, 5, 5, -57.5, 16, true, new DemoWindow("40", "400"), new DemoRescale("-1024", "1", "HU"),
        -1000,
        [
            new(0, 0, 0, 150, 105, 400, 40),          // body: soft tissue
            new(0, -5, 0, 140, 95, 400, -90),         // subcutaneous fat layer seen from inside
            new(0, 0, 0, 130, 88, 400, 35),           // inner soft tissue
            new(-55, -10, 0, 60, 48, 50, 60),         // liver (patient right is -x... shown on the image left)
            new(60, 10, -10, 28, 22, 30, 30),         // kidney-like
            new(0, 55, 0, 18, 18, 400, 700),          // vertebral body: bone
            new(0, 55, 0, 9, 9, 400, 250),            // marrow
            new(20, -20, 30, 10, 10, 10, -1000),      // bowel gas bubble
        ],
        12, hu => Clamp(hu + 1024, -32768, 32767),
        (ds, _) => CtAcquisition(ds, tubeCurrent: "200", reconstructionDiameter: "320"));

    static DemoSeries Mr() => new(
        "mr", 2, new DemoPatient("DEMO^BOB", "DEMO-0002", "19820615", "M", "041Y", "1.80", "78"),
        DemoStudies.MrImageStorage, "MR", "20240311", "140000", "140500", "DEMO2", "DEMOACC0002",
        "DEMO MR brain (synthetic phantom)", "T1 SE axial", "HEAD", ["ORIGINAL", "PRIMARY", "M", "NONE"],
        DemoStudies.MrSlices, 1.8, 5, 6, -40, 12, false, new DemoWindow("600", "1200"), null,
        0,
        [
            new(0, 0, 0, 75, 95, 80, 900),            // scalp fat (bright on T1)
            new(0, 0, 0, 70, 90, 75, 60),             // skull (dark)
            new(0, 0, 0, 64, 84, 70, 420),            // grey matter
            new(0, 0, 0, 52, 72, 58, 620),            // white matter
            new(-12, -8, 5, 6, 20, 14, 150),          // lateral ventricles: CSF (dark)
            new(12, -8, 5, 6, 20, 14, 150),
            new(30, 25, 10, 8, 8, 8, 1100),           // an enhancing lesion
        ],
        15, v => Clamp(v, 0, 4095),
        (ds, k) =>
        {
            ds.Set(DicomTags.ScanningSequence, "SE");
            ds.Set(DicomTags.SequenceVariant, "NONE");
            ds.Set(DicomTags.ScanOptions, "");
            ds.Set(DicomTags.MRAcquisitionType, "2D");
            ds.Set(DicomTags.RepetitionTime, "500");
            ds.Set(DicomTags.EchoTime, "15");
            ds.Set(DicomTags.EchoTrainLength, "1");
            ds.Set(DicomTags.NumberOfAverages, "2");
            ds.Set(DicomTags.ImagingFrequency, "63.87");
            ds.Set(DicomTags.ImagedNucleus, "1H");
            ds.Set(DicomTags.MagneticFieldStrength, "1.5");
            ds.Set(DicomTags.SpacingBetweenSlices, "6");
            ds.Set(DicomTags.FlipAngle, "90");
            ds.Set(DicomTags.SequenceName, "se2d1");
        });

    static DemoSeries Pet() => new(
        "pt", 3, Carol,
        DemoStudies.PetImageStorage, "PT", "20240318", "093000", "103000", "DEMO3", "DEMOACC0003",
        "DEMO PET FDG (synthetic phantom)", "PET AC static", "CHEST", ["ORIGINAL", "PRIMARY"],
        DemoStudies.PetSlices, 4, 4, 4, -30, 16, false, new DemoWindow("15000", "30000"),
        new DemoRescale("0", "2", null),
        0,
        [
            new(0, 0, 0, 150, 105, 400, 4000),        // body background
            new(-60, 0, 0, 45, 60, 100, 1200),        // right lung (low uptake)
            new(60, 0, 0, 45, 60, 100, 1200),         // left lung
            new(15, -20, 10, 30, 25, 25, 22000),      // myocardium
            new(15, -20, 10, 18, 14, 14, 9000),       // blood pool
            new(-40, 10, -10, 7, 7, 7, 45000),        // a hot lesion
        ],
        300, bq => Clamp(bq / PetSlope, 0, 65535), PetAttributes("350000000"));

    /// <summary>The PET Series, PET Isotope and PET Image modules (PS3.3 C.8.9) of a static FDG scan started at 09:30 with <paramref name="totalDose"/> Bq.</summary>
    internal static Action<DicomDataset, int> PetAttributes(string totalDose) => (ds, k) =>
    {
        // PET Series
        ds.Set(DicomTags.Units, "BQML");
        ds.Set(DicomTags.CountsSource, "EMISSION");
        ds.Set(DicomTags.SeriesType, "STATIC", "IMAGE");
        ds.Set(DicomTags.CorrectedImage, "DECY", "ATTN", "SCAT", "DTIM", "RAN", "NORM");
        ds.Set(DicomTags.RandomsCorrectionMethod, "DLYD");
        ds.Set(DicomTags.AttenuationCorrectionMethod, "CT-based");
        ds.Set(DicomTags.DecayCorrection, "START");
        ds.Set(DicomTags.ReconstructionMethod, "OSEM 3i21s");
        ds.Set(DemoStudies.UShort(DicomTags.NumberOfSlices, DemoStudies.PetSlices));
        // PET Isotope
        var isotope = new DicomDataset();
        isotope.Set(DicomTags.Radiopharmaceutical, "Fluorodeoxyglucose");
        isotope.Set(DicomTags.RadiopharmaceuticalStartTime, "093000.00");
        isotope.Set(DicomTags.RadiopharmaceuticalStartDateTime, "20240318093000.00");
        isotope.Set(DicomTags.RadionuclideTotalDose, totalDose);
        isotope.Set(DicomTags.RadionuclideHalfLife, FdgHalfLife);
        isotope.Set(DicomTags.RadionuclidePositronFraction, "0.9673");
        isotope.Set(new DicomSequence(DicomTags.RadionuclideCodeSequence, [Code("C-111A1", "SRT", "^18^Fluorine")]));
        isotope.Set(new DicomSequence(DicomTags.RadiopharmaceuticalCodeSequence, [Code("C-B1031", "SRT", "Fluorodeoxyglucose F^18^")]));
        ds.Set(new DicomSequence(DicomTags.RadiopharmaceuticalInformationSequence, [isotope]));
        // PET Image
        ds.Set(DicomTags.FrameReferenceTime, "0");
        ds.Set(DicomTags.ActualFrameDuration, "180000");
        ds.Set(DicomTags.DecayFactor, "1");
        ds.Set(DicomTags.DoseCalibrationFactor, "1");
        ds.Set(DicomTags.PrimaryPromptsCountsAccumulated, "12500000");
        ds.Set(DemoStudies.UShort(DicomTags.ImageIndex, (ushort)(k + 1)));
    };

    /// <summary>
    /// The PET's CT (attenuation correction and localisation): the same patient, study and Frame of Reference as
    /// <see cref="Pet"/>, the same slice positions, a 384 mm field of view (3 mm pixels), and the PET phantom's
    /// anatomy in HU (lungs, heart, a lung nodule where the PET has its hot lesion, a vertebra).
    /// </summary>
    static DemoSeries PetCt() => new(
        "pt-ct", 4, Carol, DemoStudies.CtImageStorage, "CT", "20240318", "093000", "101500", "DEMO3", "DEMOACC0003",
        "DEMO PET FDG (synthetic phantom)", "CT AC low dose", "CHEST", ["ORIGINAL", "PRIMARY", "AXIAL"],
        DemoStudies.PetCtSlices, 3, 4, 4, -30, 16, true, new DemoWindow("-600", "1500"), new DemoRescale("-1024", "1", "HU"),
        -1000,
        [
            new(0, 0, 0, 150, 105, 400, 40),          // body: soft tissue
            new(0, -5, 0, 140, 95, 400, -90),         // subcutaneous fat layer seen from inside
            new(0, 0, 0, 132, 90, 400, 35),           // inner soft tissue (chest wall, mediastinum)
            new(-60, 0, 0, 45, 60, 100, -850),        // right lung
            new(60, 0, 0, 45, 60, 100, -850),         // left lung
            new(15, -20, 10, 30, 25, 25, 45),         // heart: myocardium
            new(15, -20, 10, 18, 14, 14, 40),         // blood pool
            new(-40, 10, -10, 7, 7, 7, 30),           // the lung nodule (the PET's hot lesion)
            new(0, 75, 0, 16, 16, 400, 700),          // vertebral body: bone
            new(0, 75, 0, 8, 8, 400, 250),            // marrow
        ],
        15, hu => Clamp(hu + 1024, -32768, 32767),
        (ds, _) => CtAcquisition(ds, tubeCurrent: "40", reconstructionDiameter: "384"), // the low-dose CT of a PET-CT
        StudyKey: "pt", SeriesNumber: 2);

    /// <summary>The CT Image Module's acquisition attributes (PS3.3 C.8.2.1) of a plain helical scan.</summary>
    static void CtAcquisition(DicomDataset ds, string tubeCurrent, string reconstructionDiameter)
    {
        ds.Set(DicomTags.KVP, "120");
        ds.Set(DicomTags.XRayTubeCurrent, tubeCurrent);
        ds.Set(DicomTags.ExposureTime, "500");
        ds.Set(DicomTags.ConvolutionKernel, "STANDARD");
        ds.Set(DicomTags.ReconstructionDiameter, reconstructionDiameter);
        ds.Set(DicomTags.DataCollectionDiameter, "500");
        ds.Set(DicomTags.GantryDetectorTilt, "0");
        ds.Set(DicomTags.RotationDirection, "CW");
    }

    static DicomDataset Code(string value, string scheme, string meaning)
    {
        var item = new DicomDataset();
        item.Set(DicomTags.CodeValue, value);
        item.Set(DicomTags.CodingSchemeDesignator, scheme);
        item.Set(DicomTags.CodeMeaning, meaning);
        return item;
    }
}
