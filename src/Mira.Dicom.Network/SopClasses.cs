namespace Mira.Dicom.Network;

/// <summary>The SOP classes and transfer syntaxes the composite services negotiate.</summary>
public static class SopClasses
{
    /// <summary>Every storage SOP class in the UID registry (PS3.6 Table A-1; PS3.4 Annex B), retired ones included.</summary>
    public static IReadOnlySet<string> Storage { get; } = DicomUids.All
        .Where(u => u.Type == DicomUidType.SopClass && u.Name.Contains("Storage", StringComparison.Ordinal)
                    && !u.Name.Contains("Storage Commitment", StringComparison.Ordinal)
                    && !u.Name.Contains("Query/Retrieve", StringComparison.Ordinal))
        .Select(u => u.Uid).ToHashSet();

    /// <summary>
    /// True for a storage SOP class: one of <see cref="Storage"/>, or any UID under the storage root
    /// 1.2.840.10008.5.1.4.1.1 (PS3.4 Annex B; PS3.6 Annex A), so that classes newer than this dictionary (e.g. Label
    /// Map Segmentation Storage) are archived too.
    /// </summary>
    public static bool IsStorage(string sopClass) => Storage.Contains(sopClass) || sopClass.StartsWith("1.2.840.10008.5.1.4.1.1.", StringComparison.Ordinal);

    /// <summary>Every transfer syntax in the UID registry: a C-STORE SCP that archives objects as received can accept all.</summary>
    public static IReadOnlyList<string> AllTransferSyntaxes { get; } = DicomUids.All
        .Where(u => u.Type == DicomUidType.TransferSyntax).Select(u => u.Uid).ToArray();

    /// <summary>The native syntaxes, preferred first: Explicit VR Little Endian, Implicit VR Little Endian (the default, PS3.5 §10.1).</summary>
    public static IReadOnlyList<string> Native { get; } = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    /// <summary>
    /// The compressed syntaxes a receiver that keeps objects as sent offers besides the native ones: JPEG baseline,
    /// extended and lossless, JPEG-LS, JPEG 2000, HTJ2K, RLE and deflate. Offering every registered syntax makes an
    /// A-ASSOCIATE-RQ so large that some peers never answer it.
    /// </summary>
    public static IReadOnlyList<string> CommonEncapsulated { get; } =
    [
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.1.99",
    ];

    public static IReadOnlySet<string> Find { get; } = new HashSet<string>
    {
        DicomUids.PatientRootQueryRetrieveInformationModelFind, DicomUids.StudyRootQueryRetrieveInformationModelFind,
    };

    public static IReadOnlySet<string> Move { get; } = new HashSet<string>
    {
        DicomUids.PatientRootQueryRetrieveInformationModelMove, DicomUids.StudyRootQueryRetrieveInformationModelMove,
    };

    public static IReadOnlySet<string> Get { get; } = new HashSet<string>
    {
        DicomUids.PatientRootQueryRetrieveInformationModelGet, DicomUids.StudyRootQueryRetrieveInformationModelGet,
    };

    /// <summary>The query/retrieve information model (root) of a FIND, MOVE or GET SOP class.</summary>
    public static QueryRoot RootOf(string sopClass) => sopClass switch
    {
        DicomUids.PatientRootQueryRetrieveInformationModelFind or DicomUids.PatientRootQueryRetrieveInformationModelMove
            or DicomUids.PatientRootQueryRetrieveInformationModelGet => QueryRoot.Patient,
        _ => QueryRoot.Study,
    };

    /// <summary>
    /// Storage SOP classes a C-GET SCU offers to receive when not told which: the common image, segmentation,
    /// structured report, RT and document classes (at most two presentation contexts each fit one association).
    /// </summary>
    public static IReadOnlyList<string> CommonStorage { get; } =
    [
        DicomUids.CTImageStorage, DicomUids.EnhancedCTImageStorage, DicomUids.MRImageStorage,
        DicomUids.EnhancedMRImageStorage, DicomUids.EnhancedMRColorImageStorage,
        DicomUids.PositronEmissionTomographyImageStorage, DicomUids.EnhancedPETImageStorage,
        DicomUids.LegacyConvertedEnhancedPETImageStorage, DicomUids.NuclearMedicineImageStorage,
        DicomUids.ComputedRadiographyImageStorage, DicomUids.DigitalXRayImageStorageForPresentation,
        DicomUids.DigitalXRayImageStorageForProcessing, DicomUids.DigitalMammographyXRayImageStorageForPresentation,
        DicomUids.DigitalMammographyXRayImageStorageForProcessing,
        DicomUids.DigitalIntraOralXRayImageStorageForPresentation, DicomUids.UltrasoundImageStorage,
        DicomUids.UltrasoundMultiFrameImageStorage, DicomUids.EnhancedUSVolumeStorage,
        DicomUids.SecondaryCaptureImageStorage, DicomUids.MultiFrameSingleBitSecondaryCaptureImageStorage,
        DicomUids.MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
        DicomUids.MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
        DicomUids.MultiFrameTrueColorSecondaryCaptureImageStorage, DicomUids.XRayAngiographicImageStorage,
        DicomUids.XRayRadiofluoroscopicImageStorage, DicomUids.SegmentationStorage,
        DicomUids.SurfaceSegmentationStorage, DicomUids.BasicTextSRStorage, DicomUids.EnhancedSRStorage,
        DicomUids.ComprehensiveSRStorage, DicomUids.Comprehensive3DSRStorage, DicomUids.XRayRadiationDoseSRStorage,
        DicomUids.RTImageStorage, DicomUids.RTDoseStorage, DicomUids.RTStructureSetStorage, DicomUids.RTPlanStorage,
        DicomUids.VideoEndoscopicImageStorage, DicomUids.VLPhotographicImageStorage,
        DicomUids.OphthalmicPhotography8BitImageStorage, DicomUids.OphthalmicPhotography16BitImageStorage,
        DicomUids.OphthalmicTomographyImageStorage, DicomUids.VLWholeSlideMicroscopyImageStorage,
        DicomUids.EncapsulatedPDFStorage, DicomUids.GrayscaleSoftcopyPresentationStateStorage,
        DicomUids.ColorSoftcopyPresentationStateStorage, DicomUids.TwelveLeadECGWaveformStorage,
        DicomUids.GeneralECGWaveformStorage, DicomUids.BreastTomosynthesisImageStorage, DicomUids.ParametricMapStorage,
        DicomUids.RawDataStorage,
    ];
}

/// <summary>The query/retrieve information models (PS3.4 §C.3.1 patient root, §C.3.2 study root).</summary>
public enum QueryRoot { Patient, Study }
