namespace Mira.Dicom.IO;

/// <summary>
/// Chooses a VR where the encoding does not give a usable one: implicit VR elements whose dictionary entry
/// allows several VRs (PS3.5 §A.1 and the "US or SS" / "OB or OW" entries of PS3.6), and explicit VR UN
/// elements whose tag the dictionary knows (PS3.5 §6.2.2: UN is a VR a reader may refine).
/// </summary>
internal static class VRResolver
{
    static readonly DicomTag PixelRepresentation = new(0x00280103);
    static readonly DicomTag LutDescriptor = new(0x00283002);

    /// <summary>The VR for an element read without one, or read as UN; <paramref name="context"/> is outermost first.</summary>
    public static DicomVR Resolve(DicomTag tag, IReadOnlyList<DicomDataset> context, bool implicitEncoding)
    {
        if (tag.IsPrivate)
        {
            if (tag.IsPrivateCreator) return DicomVR.LO;
            if (tag.Element < 0x0100) return DicomVR.UN;
            var creator = FindCreator(tag, context);
            return creator is null ? DicomVR.UN : PrivateDictionary.Lookup(creator, tag)?.VR ?? DicomVR.UN;
        }
        if (tag.IsGroupLength) return DicomVR.UL;
        var entry = DicomDictionary.Lookup(tag);
        if (entry is null || entry.VRs.Length == 0) return DicomVR.UN;
        if (entry.VRs.Length == 1) return entry.VRs[0];
        return ResolveAmbiguous(tag, entry.VRs, context, implicitEncoding);
    }

    static DicomVR ResolveAmbiguous(DicomTag tag, DicomVR[] vrs, IReadOnlyList<DicomDataset> context, bool implicitEncoding)
    {
        // Pixel Data, Overlay Data, Waveform Data and the other "OB or OW" values are OW in implicit VR (PS3.5 §A.1);
        // so is the retired "US or SS or OW" Gray Lookup Table Data.
        if (vrs.Contains(DicomVR.OW) && (vrs.Contains(DicomVR.OB) || vrs.Length == 3)) return DicomVR.OW;
        // LUT Data (0028,3006) "US or OW": US when the LUT Descriptor says the table has one entry (PS3.3 C.11.1.1.1).
        if (vrs.Contains(DicomVR.US) && vrs.Contains(DicomVR.OW))
            return context.Count > 0 && context[^1].Find(LutDescriptor) is { Length: >= 2 } d && !d.HasTextValues
                   && (d.Bytes.Span[0] | (d.Bytes.Span[1] << 8)) == 1 ? DicomVR.US : DicomVR.OW;
        // Signedness follows Pixel Representation (PS3.3 C.7.6.3.1.2), found in this or an enclosing data set.
        if (vrs.Contains(DicomVR.US) && vrs.Contains(DicomVR.SS))
            return FindUInt16(PixelRepresentation, context) == 1 ? DicomVR.SS : DicomVR.US;
        _ = implicitEncoding;
        return vrs[0];
    }

    static string? FindCreator(DicomTag tag, IReadOnlyList<DicomDataset> context)
    {
        if (context.Count == 0) return null;
        var e = context[^1].Find(tag.PrivateCreatorTag);
        if (e is null) return null;
        return DicomElement.TrimValue(Text.DicomCharacterSet.Default.Decode(e.Bytes.Span, DicomVR.LO), DicomVR.LO);
    }

    static int? FindUInt16(DicomTag tag, IReadOnlyList<DicomDataset> context)
    {
        for (var i = context.Count - 1; i >= 0; i--)
            if (context[i].Find(tag) is { Length: >= 2 } e && !e.HasTextValues)
                return e.Bytes.Span[0] | (e.Bytes.Span[1] << 8);
        return null;
    }
}
