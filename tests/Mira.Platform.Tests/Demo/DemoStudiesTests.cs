using System.Buffers.Binary;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Storage.Blobs;
using Mira.Platform.Demo;
using Mira.Storage.Index;
using Mira.Platform.Intake;
using Mira.Storage.Query;

namespace Mira.Platform.Tests.Demo;

public sealed class DemoStudiesTests
{
    static readonly IReadOnlyList<DemoInstance> Instances = DemoStudies.Generate();

    static DicomDataset Read(DemoInstance i)
    {
        var file = DicomFile.Read(i.Bytes, DicomReadOptions.Untrusted);
        Assert.False(file.IsTruncated);
        Assert.Empty(file.Warnings);
        return file.Dataset;
    }

    [Fact]
    public void Generation_is_deterministic()
    {
        var again = DemoStudies.Generate();
        Assert.Equal(DemoStudies.InstanceCount, Instances.Count);
        Assert.Equal(Instances.Select(i => i.Name), again.Select(i => i.Name));
        for (var k = 0; k < Instances.Count; k++) Assert.Equal(Instances[k].Bytes, again[k].Bytes);
        Assert.Equal(Instances.Count, Instances.Select(i => i.SopInstanceUid).Distinct().Count());
        Assert.All(Instances, i => Assert.True(DicomUid.IsValid(i.SopInstanceUid) && i.SopInstanceUid.StartsWith("2.25.", StringComparison.Ordinal)));
        Assert.Equal(DemoStudies.Uid("instance/ct/1"), Instances[0].SopInstanceUid);
    }

    static readonly DicomTag[] CommonType1 =
    [
        DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.Modality,
        DicomTags.FrameOfReferenceUID, DicomTags.PixelSpacing, DicomTags.ImageOrientationPatient, DicomTags.ImagePositionPatient,
        DicomTags.SamplesPerPixel, DicomTags.PhotometricInterpretation, DicomTags.Rows, DicomTags.Columns, DicomTags.BitsAllocated,
        DicomTags.BitsStored, DicomTags.HighBit, DicomTags.PixelRepresentation, DicomTags.PixelData, DicomTags.ImageType,
    ];

    static readonly DicomTag[] CommonType2 =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.StudyDate,
        DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber, DicomTags.SeriesNumber,
        DicomTags.PositionReferenceIndicator, DicomTags.Manufacturer, DicomTags.InstanceNumber, DicomTags.SliceThickness,
    ];

    static readonly Dictionary<string, DicomTag[]> ModalityType1 = new()
    {
        ["CT"] = [DicomTags.RescaleIntercept, DicomTags.RescaleSlope],
        ["MR"] = [DicomTags.ScanningSequence, DicomTags.SequenceVariant],
        ["PT"] =
        [
            DicomTags.RescaleIntercept, DicomTags.RescaleSlope, DicomTags.SeriesDate, DicomTags.SeriesTime, DicomTags.Units,
            DicomTags.CountsSource, DicomTags.SeriesType, DicomTags.DecayCorrection, DicomTags.NumberOfSlices,
            DicomTags.FrameReferenceTime, DicomTags.ImageIndex, DicomTags.DecayFactor,
        ],
    };

    [Fact]
    public void Every_instance_rereads_with_the_type_1_and_2_attributes_of_its_IOD()
    {
        foreach (var i in Instances)
        {
            var ds = Read(i);
            var modality = ds.GetString(DicomTags.Modality)!;
            foreach (var tag in CommonType1.Concat(ModalityType1[modality]))
                Assert.True(ds.Find(tag) is { } e && (e is DicomSequence || e.Length != 0 || e.HasTextValues && ds.GetString(tag) is { Length: > 0 }),
                    $"{i.Name}: Type 1 {tag} {DicomDictionary.Lookup(tag)?.Keyword} missing or empty");
            foreach (var tag in CommonType2)
                Assert.True(ds.Contains(tag), $"{i.Name}: Type 2 {tag} missing");
            Assert.StartsWith("DEMO^", ds.GetString(DicomTags.PatientName));
            Assert.Equal(DemoStudies.Size * DemoStudies.Size * 2, ds.Get(DicomTags.PixelData).Bytes.Length);
        }
    }

    [Fact]
    public void Slices_are_stacked_along_the_normal_and_CT_values_are_plausible_HU()
    {
        foreach (var series in Instances.Select(Read).GroupBy(d => d.GetString(DicomTags.SeriesInstanceUID)))
        {
            var z = series.Select(d => d.GetDoubles(DicomTags.ImagePositionPatient)[2]).ToArray();
            var steps = z.Zip(z.Skip(1), (a, b) => b - a).Distinct().ToArray();
            Assert.Single(steps);
            Assert.True(steps[0] > 0 && steps[0] >= series.First().GetDouble(DicomTags.SliceThickness)!.Value - 1e-9);
        }
        var ct = Instances.Where(i => i.Name.StartsWith("ct/", StringComparison.Ordinal)).Select(Read).ElementAt(DemoStudies.CtSlices / 2);
        var pixels = ct.Get(DicomTags.PixelData).Bytes;
        double slope = ct.GetDouble(DicomTags.RescaleSlope)!.Value, intercept = ct.GetDouble(DicomTags.RescaleIntercept)!.Value;
        double Hu(int row, int col) => BinaryPrimitives.ReadInt16LittleEndian(pixels.Span[(((row * DemoStudies.Size) + col) * 2)..]) * slope + intercept;
        Assert.InRange(Hu(2, 2), -1100, -900);                                     // air at the corner
        Assert.InRange(Hu(DemoStudies.Size / 2, DemoStudies.Size / 2), -20, 100);  // soft tissue in the middle
        Assert.InRange(Hu(DemoStudies.Size / 2 + 27, DemoStudies.Size / 2), 600, 800); // vertebral bone posterior to the centre (+y)
        Assert.InRange(Hu(DemoStudies.Size / 2 + 22, DemoStudies.Size / 2), 150, 350); // its marrow
    }

    [Fact]
    public void PET_carries_the_FDG_dose_and_decay_information_for_SUV()
    {
        var pt = Read(Instances.First(i => i.Name.StartsWith("pt/", StringComparison.Ordinal)));
        Assert.Equal("BQML", pt.GetString(DicomTags.Units));
        Assert.Equal("START", pt.GetString(DicomTags.DecayCorrection));
        Assert.Equal(68, pt.GetDouble(DicomTags.PatientWeight));
        var isotope = Assert.Single(pt.GetSequence(DicomTags.RadiopharmaceuticalInformationSequence)!.Items);
        Assert.Equal(6586.2, isotope.GetDouble(DicomTags.RadionuclideHalfLife));
        Assert.Equal(3.5e8, isotope.GetDouble(DicomTags.RadionuclideTotalDose));
        Assert.Equal("093000.00", isotope.GetString(DicomTags.RadiopharmaceuticalStartTime));
        Assert.Equal("C-111A1", isotope.GetSequence(DicomTags.RadionuclideCodeSequence)!.Items[0].GetString(DicomTags.CodeValue));
        Assert.Equal(0, pt.GetDouble(DicomTags.RescaleIntercept));
    }

    [Fact]
    public void The_PET_study_is_a_PET_CT_whose_CT_shares_the_study_frame_of_reference_and_slice_positions()
    {
        var pet = Instances.Where(i => i.Name.StartsWith("pt/", StringComparison.Ordinal)).Select(Read).ToList();
        var ct = Instances.Where(i => i.Name.StartsWith("pt-ct/", StringComparison.Ordinal)).Select(Read).ToList();
        Assert.Equal((DemoStudies.PetSlices, DemoStudies.PetCtSlices), (pet.Count, ct.Count));
        Assert.All(ct, d => Assert.Equal("CT", d.GetString(DicomTags.Modality)));
        foreach (var tag in new[] { DicomTags.StudyInstanceUID, DicomTags.FrameOfReferenceUID, DicomTags.PatientID, DicomTags.PatientName, DicomTags.AccessionNumber })
            Assert.Single(pet.Concat(ct).Select(d => d.GetString(tag)).Distinct());
        Assert.NotEqual(pet[0].GetString(DicomTags.SeriesInstanceUID), ct[0].GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(pet.Select(d => d.GetDoubles(DicomTags.ImagePositionPatient)[2]), ct.Select(d => d.GetDoubles(DicomTags.ImagePositionPatient)[2]));
        // HU where the PET has its anatomy: lung at (−60, 0) mm, soft tissue at the hot lesion (−40, 10) mm, in the slice at z = −10.
        var slice = ct.Single(d => Math.Abs(d.GetDoubles(DicomTags.ImagePositionPatient)[2] + 10) < 1e-6);
        var spacing = slice.GetDoubles(DicomTags.PixelSpacing)[0];
        var origin = slice.GetDoubles(DicomTags.ImagePositionPatient);
        var pixels = slice.Get(DicomTags.PixelData).Bytes;
        double Hu(double x, double y)
        {
            int col = (int)Math.Round((x - origin[0]) / spacing), row = (int)Math.Round((y - origin[1]) / spacing);
            return BinaryPrimitives.ReadInt16LittleEndian(pixels.Span[((row * DemoStudies.Size + col) * 2)..]) + slice.GetDouble(DicomTags.RescaleIntercept)!.Value;
        }
        Assert.InRange(Hu(-70, -20), -950, -750);
        Assert.InRange(Hu(-40, 10), -30, 90);
        Assert.InRange(Hu(0, 75), 150, 350);
    }

    [Fact]
    public async Task The_demo_set_ingests_once_and_QIDO_finds_three_studies()
    {
        var folder = Directory.CreateTempSubdirectory("mira-demo-").FullName;
        try
        {
            var index = await SqlIndexStore.OpenAsync(StorageDatabase.Sqlite(Path.Combine(folder, "index.db")));
            var ingest = new IngestService(index, new FileBlobStore(Path.Combine(folder, "blobs")));
            var first = await DemoStudies.EnsureLoadedAsync(ingest);
            Assert.Empty(first.Refused);
            Assert.Equal((DemoStudies.InstanceCount, 0), (first.Stored, first.AlreadyPresent));
            var second = await DemoStudies.EnsureLoadedAsync(ingest);
            Assert.Equal((0, DemoStudies.InstanceCount), (second.Stored, second.AlreadyPresent));

            var studies = await index.QueryStudiesAsync(QidoQuery.Empty);
            Assert.Equal(DemoStudies.StudyCount, studies.Count);
            Assert.Equal(["DEMO^ALICE", "DEMO^BOB", "DEMO^CAROL"], studies.Select(s => s.GetString(DicomTags.PatientName)!).Order(StringComparer.Ordinal));
            Assert.Equal(DemoStudies.SeriesCount, (await index.QuerySeriesAsync(QidoQuery.Empty)).Count);
            Assert.Equal(DemoStudies.PetSlices + DemoStudies.PetCtSlices, (await index.QueryInstancesAsync(QidoQuery.Empty, DemoStudies.StudyUid("pt"))).Count);
            Assert.Single(await index.QueryStudiesAsync(QidoQuery.Parse("PatientName=DEMO^BOB")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
