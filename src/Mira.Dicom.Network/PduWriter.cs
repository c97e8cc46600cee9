using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Mira.Dicom.Network;

/// <summary>Encodes PDUs (PS3.8 §9.3): every length and integer big endian, UIDs without padding, AE titles space padded to 16.</summary>
public static class PduWriter
{
    public static byte[] Encode(Pdu pdu)
    {
        var w = new ArrayBufferWriter<byte>(256);
        w.Write<byte>([(byte)pdu.Type, 0, 0, 0, 0, 0]);
        switch (pdu)
        {
            case AssociatePdu a: WriteAssociate(w, a); break;
            case AssociateRejectPdu r: w.Write<byte>([0, r.Result, r.Source, r.Reason]); break;
            case DataTransferPdu d:
                foreach (var v in d.Values)
                {
                    U32(w, checked((uint)v.Data.Length + 2));
                    w.Write<byte>([v.PresentationContextId, (byte)((v.IsCommand ? 1 : 0) | (v.IsLast ? 2 : 0))]);
                    w.Write(v.Data.Span);
                }
                break;
            case ReleaseRequestPdu or ReleaseResponsePdu: w.Write<byte>([0, 0, 0, 0]); break;
            case AbortPdu ab: w.Write<byte>([0, 0, ab.Source, ab.Reason]); break;
            default: throw new ArgumentException($"unknown PDU {pdu.GetType().Name}", nameof(pdu));
        }
        var bytes = w.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), checked((uint)(bytes.Length - 6)));
        return bytes;
    }

    static void WriteAssociate(ArrayBufferWriter<byte> w, AssociatePdu a)
    {
        U16(w, a.ProtocolVersion);
        U16(w, 0);
        AE(w, a.CalledAE);
        AE(w, a.CallingAE);
        w.GetSpan(32)[..32].Clear();
        w.Advance(32);
        Item(w, 0x10, x => Ascii(x, a.ApplicationContext));
        var accept = a is AssociateAcceptPdu;
        foreach (var pc in a.PresentationContexts)
            Item(w, accept ? (byte)0x21 : (byte)0x20, x =>
            {
                x.Write<byte>([pc.Id, 0, accept ? (byte)pc.Result : (byte)0, 0]);
                if (!accept) Item(x, 0x30, y => Ascii(y, pc.AbstractSyntax));
                foreach (var ts in pc.TransferSyntaxes) Item(x, 0x40, y => Ascii(y, ts));
            });
        var u = a.UserInformation;
        Item(w, 0x50, x =>
        {
            if (u.MaxPduLength is { } max) Item(x, 0x51, y => U32(y, max));
            if (u.ImplementationClassUid is { } cls) Item(x, 0x52, y => Ascii(y, cls));
            if (u.AsyncOperationsWindow is { } win) Item(x, 0x53, y => { U16(y, win.Invoked); U16(y, win.Performed); });
            foreach (var r in u.RoleSelections)
                Item(x, 0x54, y => { Uid16(y, r.SopClassUid); y.Write<byte>([(byte)(r.ScuRole ? 1 : 0), (byte)(r.ScpRole ? 1 : 0)]); });
            if (u.ImplementationVersionName is { } ver) Item(x, 0x55, y => Ascii(y, ver));
            foreach (var e in u.ExtendedNegotiations)
                Item(x, 0x56, y => { Uid16(y, e.SopClassUid); y.Write(e.ServiceClassApplicationInformation); });
            foreach (var c in u.CommonExtendedNegotiations)
                Item(x, 0x57, y =>
                {
                    Uid16(y, c.SopClassUid);
                    Uid16(y, c.ServiceClassUid);
                    var related = new ArrayBufferWriter<byte>();
                    foreach (var g in c.RelatedGeneralSopClasses) Uid16(related, g);
                    U16(y, checked((ushort)related.WrittenCount));
                    y.Write(related.WrittenSpan);
                });
            if (u.UserIdentity is { } id)
                Item(x, 0x58, y =>
                {
                    y.Write<byte>([id.IdentityType, (byte)(id.PositiveResponseRequested ? 1 : 0)]);
                    U16(y, checked((ushort)id.PrimaryField.Length));
                    y.Write(id.PrimaryField);
                    U16(y, checked((ushort)id.SecondaryField.Length));
                    y.Write(id.SecondaryField);
                });
            if (u.UserIdentityServerResponse is { } resp) Item(x, 0x59, y => { U16(y, checked((ushort)resp.Length)); y.Write(resp); });
        });
    }

    /// <summary>An item: type, reserved byte, 16-bit length, then the body written by <paramref name="body"/>.</summary>
    static void Item(ArrayBufferWriter<byte> w, byte type, Action<ArrayBufferWriter<byte>> body)
    {
        var inner = new ArrayBufferWriter<byte>(64);
        body(inner);
        if (inner.WrittenCount > ushort.MaxValue) throw new ArgumentException($"item 0x{type:X2} is longer than 65535 bytes");
        w.Write<byte>([type, 0]);
        U16(w, (ushort)inner.WrittenCount);
        w.Write(inner.WrittenSpan);
    }

    static void AE(ArrayBufferWriter<byte> w, string ae)
    {
        if (ae.Length is 0 or > 16 || ae.Any(c => c is < ' ' or > '~' or '\\'))
            throw new ArgumentException($"invalid AE title '{ae}' (1 to 16 printable characters, no backslash)");
        Ascii(w, ae.PadRight(16));
    }

    static void Ascii(ArrayBufferWriter<byte> w, string s) => w.Write(Encoding.ASCII.GetBytes(s));

    static void Uid16(ArrayBufferWriter<byte> w, string uid)
    {
        U16(w, checked((ushort)uid.Length));
        Ascii(w, uid);
    }

    static void U16(ArrayBufferWriter<byte> w, ushort v)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), v);
        w.Advance(2);
    }

    static void U32(ArrayBufferWriter<byte> w, uint v)
    {
        BinaryPrimitives.WriteUInt32BigEndian(w.GetSpan(4), v);
        w.Advance(4);
    }
}
