using System.Globalization;
using System.Text.Json;
using Mira.Imaging.Nifti;
using Mira.Inference.OnnxRuntime;
using Mira.Inference.Tests.Fixtures;
using Mira.Inference.Worker;
using Mira.Testing;

namespace Mira.Inference.Tests;

/// <summary>The worker's file protocol end to end: pydicom writes the DICOM cases and numpy the expected masks.</summary>
public class ModelWorkerTests
{
    /// <summary>Writes PET series (BQML, decay START, 70 kg, 370 MBq F-18 injected one hour before the series) and an MR one.</summary>
    const string WriteCases = """
        import sys
        import numpy as np
        import pydicom
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.uid import ExplicitVRLittleEndian, generate_uid

        root = sys.argv[1]

        def series(case, modality, volume, slope):
            import os
            os.makedirs(f"{root}/images/{case}", exist_ok=True)
            uid, frame = generate_uid(), generate_uid()
            nz, ny, nx = volume.shape
            for k in range(nz):
                ds = Dataset()
                sop = "1.2.840.10008.5.1.4.1.1.128" if modality == "PT" else "1.2.840.10008.5.1.4.1.1.4"
                ds.file_meta = FileMetaDataset()
                ds.file_meta.MediaStorageSOPClassUID = sop
                ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
                ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
                ds.SOPClassUID, ds.SOPInstanceUID = sop, ds.file_meta.MediaStorageSOPInstanceUID
                ds.Modality, ds.SeriesInstanceUID, ds.StudyInstanceUID, ds.FrameOfReferenceUID = modality, uid, uid + ".1", frame
                ds.PatientID, ds.PatientName, ds.PatientWeight, ds.PatientSex = "P1", "Test^Patient", 70, "F"
                ds.InstanceNumber = k + 1
                ds.ImagePositionPatient = [-40.0, -30.0, 2.5 * k]
                ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
                ds.PixelSpacing = [2.0, 2.0]
                ds.SliceThickness = 2.5
                ds.Rows, ds.Columns = ny, nx
                ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
                ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
                ds.RescaleSlope, ds.RescaleIntercept = slope, 0
                if modality == "PT":
                    ds.Units, ds.DecayCorrection, ds.CorrectedImage = "BQML", "START", ["ATTN", "DECY"]
                    ds.SeriesDate, ds.SeriesTime, ds.AcquisitionDate, ds.AcquisitionTime = "20260101", "110000", "20260101", "110000"
                    rp = Dataset()
                    rp.RadiopharmaceuticalStartTime, rp.RadionuclideTotalDose, rp.RadionuclideHalfLife = "100000", 370e6, 6586.2
                    ds.RadiopharmaceuticalInformationSequence = [rp]
                ds.PixelData = volume[k].astype("<u2").tobytes()
                ds.is_little_endian, ds.is_implicit_VR = True, False
                ds.save_as(f"{root}/images/{case}/{k:03d}.dcm", write_like_original=False)

        rng = np.random.default_rng(7)
        factor = 70000 / (370e6 * 2 ** (-3600 / 6586.2))
        for case, centre in (("case-a", (3, 6, 8)), ("case-b", (5, 12, 4))):
            z, y, x = np.meshgrid(np.arange(8), np.arange(16), np.arange(20), indexing="ij")
            stored = rng.integers(0, 800, (8, 16, 20)) + (30000 * np.exp(-((z - centre[0]) ** 2 + (y - centre[1]) ** 2 + (x - centre[2]) ** 2) / 5.0)).astype(np.int64)
            series(case, "PT", stored, 1.5)
            suv = (stored * 1.5 * factor).astype(np.float32)
            mask = (suv >= np.float32(0.41) * suv.max()) & (suv > 0)
            mask.astype(np.float32).tofile(f"{root}/{case}.mask.f32")
        series("case-mr", "MR", rng.integers(0, 500, (4, 8, 8)), 1.0)
        print(repr(factor))
        """;

    [Fact]
    public void Runs_every_case_in_one_process_and_writes_label_maps_and_predictions_json()
    {
        var input = Directory.CreateTempSubdirectory("mira-worker-in-").FullName;
        var output = Path.Combine(Directory.CreateTempSubdirectory("mira-worker-out-").FullName, "out");
        var factor = double.Parse(Python.Run(WriteCases, input).Trim(), CultureInfo.InvariantCulture);
        var package = Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline");
        var log = new StringWriter();

        var result = ModelWorker.Run(package, Path.Combine(input, "images"), output, new OnnxSessionFactory(), log: log);

        Assert.Equal(["case-a", "case-b", "case-mr"], result.Cases.Select(c => c.Case));
        Assert.Equal(1, result.Failed);
        Assert.Contains("Modality (0008,0060) MR; pet-suv41-baseline reads PT", result.Cases[2].Error);
        foreach (var name in new[] { "case-a", "case-b" })
        {
            var labels = NiftiVolumes.ReadVolume(Path.Combine(output, name + ".nii.gz"));
            Assert.Equal([20, 16, 8], labels.Size);
            Assert.Equal(2.0, labels.Geometry.Spacing[0], 6);
            Assert.Equal(2.5, labels.Geometry.Spacing[2], 6);
            Assert.Equal(-40.0, labels.Geometry.Origin[0], 4);
            var expected = Python.ReadFloats(Path.Combine(input, name + ".mask.f32"));
            Assert.Equal(expected, TestVolumes.Values(labels));
            Assert.False(File.Exists(Path.Combine(output, name + ".prob.nii.gz"))); // a label-map model has no probabilities
        }
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ModelWorker.PredictionsFileName)));
        var root = json.RootElement;
        Assert.Equal("pet-suv41-baseline", root.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(result.PackageSha256, root.GetProperty("model").GetProperty("sha256").GetString());
        var a = root.GetProperty("cases")[0];
        Assert.Equal("ok", a.GetProperty("status").GetString());
        Assert.Equal("case-a.nii.gz", a.GetProperty("labelMap").GetString());
        Assert.Equal(factor, a.GetProperty("suvBwFactor").GetDouble(), 1e-9 * factor);
        Assert.Equal(Python.ReadFloats(Path.Combine(input, "case-a.mask.f32")).Count(v => v == 1), a.GetProperty("labelVoxels").GetProperty("1").GetInt64());
        Assert.True(a.GetProperty("timings").GetProperty("inferenceMs").GetDouble() > 0);
        Assert.Equal("failed", root.GetProperty("cases")[2].GetProperty("status").GetString());
        Assert.Equal(3, root.GetProperty("totals").GetProperty("cases").GetInt32());
        Assert.Equal(2, root.GetProperty("totals").GetProperty("succeeded").GetInt32());
        Assert.Contains("3 case(s)", log.ToString());
    }

    [Fact]
    public void Refuses_a_non_empty_output_folder_and_an_input_without_images_and_writes_nothing()
    {
        var package = Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline");
        var input = Directory.CreateTempSubdirectory("mira-worker-in-").FullName;
        var output = Directory.CreateTempSubdirectory("mira-worker-out-").FullName;
        var images = Path.Combine(input, "images");
        Assert.Contains("no such images folder", Assert.Throws<ModelPackageException>(() => ModelWorker.Run(package, images, output, new OnnxSessionFactory())).Message);
        Directory.CreateDirectory(images);
        Assert.Contains("no case folders", Assert.Throws<ModelPackageException>(() => ModelWorker.Run(package, images, output, new OnnxSessionFactory())).Message);
        Directory.CreateDirectory(Path.Combine(images, "c1"));
        File.WriteAllText(Path.Combine(output, "old.txt"), "x");
        Assert.Contains("not empty", Assert.Throws<ModelPackageException>(() => ModelWorker.Run(package, images, output, new OnnxSessionFactory())).Message);
        Assert.Equal(["old.txt"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
    }

    [Fact]
    public void Writes_the_foreground_probability_of_a_probabilistic_model()
    {
        var input = Directory.CreateTempSubdirectory("mira-worker-in-").FullName;
        var output = Path.Combine(Directory.CreateTempSubdirectory("mira-worker-out-").FullName, "out");
        Python.Run(WriteCases, input);
        Directory.Delete(Path.Combine(input, "images", "case-a"), true);
        Directory.Delete(Path.Combine(input, "images", "case-b"), true);
        var result = ModelWorker.Run(Path.Combine(Corpus.RepositoryRoot, "models", "glioma-synthetic-baseline"), Path.Combine(input, "images"), output, new OnnxSessionFactory());
        Assert.Equal(0, result.Failed);
        var probability = NiftiVolumes.ReadVolume(Path.Combine(output, "case-mr.prob.nii.gz"));
        var labels = NiftiVolumes.ReadVolume(Path.Combine(output, "case-mr.nii.gz"));
        Assert.Equal(labels.Size, probability.Size);
        for (long i = 0; i < labels.VoxelCount; i++)
            Assert.Equal(probability.GetValue(i) >= 0.5 ? 1 : 0, labels.GetValue(i));
        Assert.Equal("case-mr.prob.nii.gz", result.Cases[0].ProbabilityFile);
    }
}
