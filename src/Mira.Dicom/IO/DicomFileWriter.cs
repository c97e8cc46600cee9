using System.Buffers.Binary;
using System.IO.Compression;

namespace Mira.Dicom.IO;

/// <summary>
/// Writes DICOM files (PS3.10 §7): 128-byte preamble, "DICM", File Meta Information in explicit VR little
/// endian with a correct group length (PS3.10 §7.1), then the data set in the chosen transfer syntax,
/// deflated for Deflated Explicit VR Little Endian (PS3.5 §A.5).
/// </summary>
public static class DicomFileWriter
{
    /// <summary>Mira's Implementation Class UID (PS3.7 §D.3.3.2), a fixed 2.25 UID.</summary>
    public const string ImplementationClassUid = "2.25.226180488341178462137153209468458402331";
    public const string ImplementationVersionName = "MIRA_0_1";

    /// <summary>Writes to a path durably: a temporary file in the same folder, flushed to disk, then renamed.</summary>
    public static void Save(string path, DicomDataset dataset, TransferSyntax syntax, DicomDataset? meta = null, DicomWriteOptions? options = null)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                Write(fs, dataset, syntax, meta, options);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static void Write(Stream output, DicomDataset dataset, TransferSyntax syntax, DicomDataset? meta = null, DicomWriteOptions? options = null)
    {
        var fileMeta = BuildMeta(dataset, syntax, meta);
        output.Write(new byte[128]);
        output.Write("DICM"u8);
        new DicomDatasetWriter(TransferSyntax.ExplicitVRLittleEndian, DicomWriteOptions.Default).Write(output, fileMeta);
        var writer = new DicomDatasetWriter(syntax, options);
        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
            writer.Write(deflate, dataset);
        }
        else writer.Write(output, dataset);
        output.Flush();
    }

    public static byte[] ToBytes(DicomDataset dataset, TransferSyntax syntax, DicomDataset? meta = null, DicomWriteOptions? options = null)
    {
        var ms = new MemoryStream();
        Write(ms, dataset, syntax, meta, options);
        return ms.ToArray();
    }

    /// <summary>
    /// A Part 10 file around a data set that is already encoded in <paramref name="syntax"/> (received over DIMSE, or
    /// cut from another file at <see cref="DicomFile.DatasetOffset"/>): preamble, "DICM", File Meta Information naming
    /// the SOP class and instance, the syntax and, when given, the Source Application Entity Title (PS3.10 §7.1),
    /// then the data set bytes unchanged.
    /// </summary>
    public static byte[] Compose(string sopClassUid, string sopInstanceUid, TransferSyntax syntax, ReadOnlySpan<byte> encodedDataset, string? sourceAETitle = null)
    {
        var existing = new DicomDataset()
            .Set(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, sopClassUid)
            .Set(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, sopInstanceUid);
        if (!string.IsNullOrWhiteSpace(sourceAETitle)) existing.Set(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, sourceAETitle.Trim());
        var meta = BuildMeta(new DicomDataset(), syntax, existing);
        var ms = new MemoryStream(256 + encodedDataset.Length);
        ms.Write(new byte[128]);
        ms.Write("DICM"u8);
        new DicomDatasetWriter(TransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { KeepInvalidValues = true }).Write(ms, meta);
        ms.Write(encodedDataset);
        return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
    }

    /// <summary>
    /// File Meta Information (PS3.10 §7.1): version 00 01, SOP class and instance from the data set, the transfer
    /// syntax, Mira's implementation UID and name; other elements of an existing meta (e.g. Source AE Title) kept.
    /// </summary>
    public static DicomDataset BuildMeta(DicomDataset dataset, TransferSyntax syntax, DicomDataset? existing)
    {
        var meta = new DicomDataset();
        if (existing is not null)
            foreach (var e in existing)
                if (e.Tag.Group == 0x0002) meta.Set(e);
        meta.Set(new DicomElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 }));
        var sopClass = dataset.GetString(DicomTags.SOPClassUID) ?? existing?.GetString(DicomTags.MediaStorageSOPClassUID);
        var sopInstance = dataset.GetString(DicomTags.SOPInstanceUID) ?? existing?.GetString(DicomTags.MediaStorageSOPInstanceUID);
        if (sopClass is null || sopInstance is null)
            throw new DicomValueException(sopClass is null ? DicomTags.SOPClassUID : DicomTags.SOPInstanceUID, DicomVR.UI,
                "a DICOM file needs SOP Class UID and SOP Instance UID (PS3.10 §7.1)");
        meta.Set(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, sopClass);
        meta.Set(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, sopInstance);
        meta.Set(DicomTags.TransferSyntaxUID, DicomVR.UI, syntax.Uid);
        meta.Set(DicomTags.ImplementationClassUID, DicomVR.UI, ImplementationClassUid);
        meta.Set(DicomTags.ImplementationVersionName, DicomVR.SH, ImplementationVersionName);
        meta.Remove(DicomTags.FileMetaInformationGroupLength);
        var body = new MemoryStream();
        new DicomDatasetWriter(TransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { KeepInvalidValues = true }).Write(body, meta);
        var len = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)body.Length);
        meta.Set(new DicomElement(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, len));
        return meta;
    }
}
