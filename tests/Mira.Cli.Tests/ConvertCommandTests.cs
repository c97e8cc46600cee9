using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class ConvertCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mira-convert-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Input(params string[] corpusFiles)
    {
        var input = Path.Combine(dir, "in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        for (var i = 0; i < corpusFiles.Length; i++)
            File.Copy(Path.Combine(Corpus.Root, corpusFiles[i]), Path.Combine(input, i % 2 == 0 ? "" : "sub", Path.GetFileName(corpusFiles[i])));
        return input;
    }

    [Fact]
    public void One_series_goes_to_the_named_file()
    {
        var input = Input("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm");
        var output = Path.Combine(dir, "out.nii.gz");
        var r = MiraProcess.Run("convert", input, "--to", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith(output + "\t64x64x35 UInt16", r.Stdout);
        var nii = NiftiFile.Read(output);
        Assert.Equal([64L, 64, 35], nii.Header.Shape);
        Assert.Equal(1, nii.Header.SformCode);
    }

    [Fact]
    public void Several_series_get_one_file_each_named_by_series_number()
    {
        var input = Input("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm", "dicom/modality/MR/ge_epi_fmri_00001.dcm", "dicom/modality/SR/dcmqi_sr_tid1500.dcm");
        var r = MiraProcess.Run("convert", input, "--to", Path.Combine(dir, "vol.mha"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            var path = line.Split('\t')[0];
            Assert.Matches(@"vol_s\d+\.mha$", path);
            Assert.Equal(3, MetaImageFile.Read(path).Rank);
        }
        Assert.Contains("skipped 1 file", r.Stderr);
    }

    [Fact]
    public void A_NIfTI_input_is_told_by_its_content_and_converted_as_one_volume()
    {
        var input = Input("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm");
        var nii = Path.Combine(dir, "first.nii");
        Assert.Equal(0, MiraProcess.Run("convert", input, "--to", nii).ExitCode);
        var renamed = Path.Combine(dir, "looks-like.mha");
        File.Move(nii, renamed);
        var output = Path.Combine(dir, "again.mha");
        var r = MiraProcess.Run("convert", renamed, "--to", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith(output + "\t64x64x35 UInt16\tNIfTI-1 " + renamed, r.Stdout);
        Assert.Equal(NiftiVolumes.ReadVolume(renamed).Data, MetaImageFile.Read(output).Data);
    }

    [Fact]
    public void Two_copies_of_one_image_under_different_uids_are_refused_with_the_files()
    {
        var input = Input("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm", "dicom/transfer-syntax/dcm_qa_ts/2_implicit_le.dcm");
        var r = MiraProcess.Run("convert", input, "--to", Path.Combine(dir, "dup.nii"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot be told apart", r.Stderr);
        Assert.Contains("2_implicit_le.dcm", r.Stderr);
    }

    [Fact]
    public void Unknown_output_extension_and_empty_input_are_refused()
    {
        var bad = MiraProcess.Run("convert", Input("dicom/modality/MR/ge_epi_fmri_00001.dcm"), "--to", Path.Combine(dir, "x.png"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains(".nii.gz", bad.Stderr);
        var empty = Path.Combine(dir, "empty");
        Directory.CreateDirectory(empty);
        var none = MiraProcess.Run("convert", empty, "--to", Path.Combine(dir, "y.nii"));
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no DICOM images", none.Stderr);
    }
}

public sealed class ConvertPhotoToPngTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mira-convert-png-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    const string Fundus = "photos/fundus/Fundus_photograph_of_normal_right_eye_600px.jpg";

    string FundusDicom()
    {
        var request = new Mira.Conversion.ConversionRequest
        {
            Subject = Mira.Conversion.ConversionSubject.FromValues(
                [new("PatientID", "CLI-PHOTO"), new("ImageLaterality", "R"), new("AcquisitionDateTime", "20240501101500")], "test"),
        };
        var instance = new Mira.Conversion.Photos.PhotoConverter().Convert(Path.Combine(Corpus.Root, Fundus), request).Single();
        var path = Path.Combine(dir, "fundus.dcm");
        using var output = File.Create(path);
        Mira.Conversion.Part10Writer.Write(output, instance);
        return path;
    }

    [Fact]
    public void A_DICOM_photograph_is_written_as_a_PNG_with_Pillows_pixels_of_the_source_JPEG()
    {
        var dcm = FundusDicom();
        var png = Path.Combine(dir, "fundus.png");
        var r = MiraProcess.Run("convert", dcm, "--to", png);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal($"{png}\t600x600 RGB 8-bit PNG\tfrom YBR_FULL_422 {dcm}", r.Stdout.Trim());
        var diff = ExternalTool.Run("/usr/bin/python3", "-c", """
            import sys, numpy as np
            from PIL import Image
            a = np.asarray(Image.open(sys.argv[1]).convert('RGB')).astype(int)
            b = np.asarray(Image.open(sys.argv[2])).astype(int)
            print(a.shape == b.shape and int(np.abs(a - b).max()))
            """, Path.Combine(Corpus.Root, Fundus), png).Trim();
        Assert.Equal("0", diff);
    }

    [Fact]
    public void A_file_that_is_not_DICOM_is_refused_and_leaves_no_PNG()
    {
        var notDicom = Path.Combine(dir, "notes.txt");
        File.WriteAllText(notDicom, "not an image");
        var png = Path.Combine(dir, "out.png");
        var r = MiraProcess.Run("convert", notDicom, "--to", png);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith(notDicom + ": not a readable DICOM file", r.Stderr);
        Assert.False(File.Exists(png));
        Assert.Empty(Directory.GetFiles(dir, "*.partial"));
    }
}
