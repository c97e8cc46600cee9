using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>The file path of DeidRunner: Pixel Data copied from the source by offset, or written in full when something follows it.</summary>
public sealed class RunnerTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("mira-deid-runner-");

    public void Dispose() => dir.Delete(true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pixel_data_is_byte_identical_whether_or_not_it_ends_the_file(bool trailingElement)
    {
        var file = DicomFile.Open(Corpus.Get("dicom/modality/CT/CT0012_enhanced_ct_2frame.dcm").FullPath);
        var big = new byte[600 * 1024];
        new Random(7).NextBytes(big);
        var ds = file.Dataset;
        ds.Remove(DicomTags.PixelData);
        ds.Set(new DicomElement(DicomTags.Rows, DicomVR.US, BitConverter.GetBytes((ushort)640)));
        ds.Set(new DicomElement(DicomTags.Columns, DicomVR.US, BitConverter.GetBytes((ushort)480)));
        ds.Set(DicomTags.NumberOfFrames, DicomVR.IS, "1");
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, big));
        if (trailingElement) ds.Set(new DicomElement(new DicomTag(0xFFFC, 0xFFFC), DicomVR.OB, new byte[8]));
        var input = Path.Combine(dir.FullName, "in.dcm");
        DicomFileWriter.Save(input, ds, TransferSyntax.ExplicitVRLittleEndian, null, new DicomWriteOptions { KeepInvalidValues = true });
        var output = Path.Combine(dir.FullName, "out.dcm");
        var rec = DeidRunner.ProcessFile(new DeidEngine(DeidRecipe.Research, TestData.Key), input, output);
        Assert.Equal(DeidFileStatus.Deidentified, rec.Status);
        var back = DicomFile.Open(output);
        Assert.Empty(back.Warnings);
        Assert.Equal(big, back.Dataset.Get(DicomTags.PixelData).Bytes.ToArray());
        Assert.Equal("YES", back.Dataset.GetString(DicomTags.PatientIdentityRemoved));
        Assert.Equal(rec.SopInstanceUid, back.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
    }
}
