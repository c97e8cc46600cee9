namespace Mira.Imaging.Formats;

/// <summary>
/// The volume file formats Mira reads, chosen by content, never by file name: a NIfTI file named <c>.mha</c> is read
/// as NIfTI. <see cref="Default"/> knows NIfTI-1 and NIfTI-2 (plain or gzip'd), MetaImage and DICOM (Part 10 files or a
/// folder of them); an intake module adds its own with <see cref="Register"/>.
/// </summary>
public sealed class VolumeFormats
{
    IVolumeFormat[] formats;
    readonly Lock gate = new();

    public VolumeFormats(IEnumerable<IVolumeFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        this.formats = [.. formats];
    }

    /// <summary>The process-wide registry, with the built-in formats.</summary>
    public static VolumeFormats Default { get; } = CreateBuiltIn();

    /// <summary>A new registry with the built-in formats. A new built-in format is one more line here.</summary>
    public static VolumeFormats CreateBuiltIn() => new(
    [
        new NiftiVolumeFormat(1),
        new NiftiVolumeFormat(2),
        new MetaImageVolumeFormat(),
        new DicomVolumeFormat(),
    ]);

    /// <summary>Every format, in the order they are probed (registered ones first).</summary>
    public IReadOnlyList<IVolumeFormat> All => Volatile.Read(ref formats);

    /// <summary>Adds a format, probed before those already there.</summary>
    public void Register(IVolumeFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (gate) Volatile.Write(ref formats, [format, .. formats]);
    }

    /// <summary>The first format whose probe recognises <paramref name="probe"/>, or null.</summary>
    public IVolumeFormat? Detect(VolumeProbe probe)
    {
        foreach (var f in All)
            if (f.Probe(probe)) return f;
        return null;
    }

    /// <summary>The format of bytes in memory, or null.</summary>
    public IVolumeFormat? Detect(ReadOnlySpan<byte> bytes) => Detect(VolumeProbe.FromBytes(bytes));

    /// <summary>The format of a stream's content from its current position, or null.</summary>
    public IVolumeFormat? Detect(Stream stream) => Detect(VolumeProbe.FromStream(stream));

    /// <summary>The format of a file or folder, or null; throws <see cref="ImagingException"/> when it does not exist or cannot be read.</summary>
    public IVolumeFormat? Detect(string path) => Detect(ProbePath(path));

    /// <summary>The format of a file or folder; throws <see cref="ImagingException"/> naming it when no format recognises it.</summary>
    public IVolumeFormat Require(string path)
    {
        var probe = ProbePath(path);
        return Detect(probe) ?? throw new ImagingException(Unknown(path, probe));
    }

    /// <summary>Reads a file or folder as one volume in the format its content shows.</summary>
    public Volumes.Volume Read(string path, VolumeReadOptions? options = null) => Require(path).Read(path, options ?? VolumeReadOptions.Default);

    static VolumeProbe ProbePath(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new ImagingException($"{path}: no such file or folder");
        try { return VolumeProbe.FromPath(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ImagingException($"{path}: {e.Message}", e); }
    }

    string Unknown(string path, VolumeProbe probe)
    {
        var known = string.Join(", ", All.Select(f => f.Name).Distinct());
        if (probe.IsDirectory) return $"{path}: a folder with no file in a volume format Mira reads by content ({known})";
        var head = probe.Head.Span;
        var what = head.IsEmpty ? "the file is empty"
            : $"it starts with {Convert.ToHexString(head[..Math.Min(8, head.Length)])}" + (probe.IsGzip ? " (gzip, whose content is no known format)" : "");
        return $"{path}: not a volume file Mira reads ({known}, recognised by content, not by name): {what}";
    }
}
