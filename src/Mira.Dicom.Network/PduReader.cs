using System.Buffers.Binary;
using System.Text;

namespace Mira.Dicom.Network;

/// <summary>
/// Decodes PDUs (PS3.8 §9.3). Every length is checked against the enclosing PDU or item; items and user information
/// sub-items of unknown type are skipped (PS3.8 §9.3.1); failures throw <see cref="DicomNetworkException"/> with the
/// PDU type and the byte offset from the start of the PDU.
/// </summary>
public static class PduReader
{
    public const int HeaderLength = 6;

    /// <summary>
    /// Default largest body accepted for the PDUs other than P-DATA-TF: an A-ASSOCIATE-RQ of 128 presentation contexts
    /// each proposing every transfer syntax (dcmtk's <c>--propose-pc 128 --propose-ts 38</c>) is about 120 KiB, and a
    /// user identity sub-item may add 64 KiB; the other PDUs are 4 to 10 bytes. The body buffer grows only as bytes arrive.
    /// </summary>
    public const int DefaultMaxAssociatePduLength = 256 * 1024;

    /// <summary>
    /// The body buffer starts at most this large (a P-DATA-TF of our announced 64 KiB maximum is read in one piece) and
    /// grows only as bytes actually arrive, so a peer claiming a larger length and sending little costs what it sent.
    /// </summary>
    const int InitialBodyBuffer = 64 * 1024;

    /// <summary>
    /// Reads one PDU from <paramref name="stream"/>. Returns null on a clean end of stream before the first header byte;
    /// a stream that ends inside a PDU throws. P-DATA-TF bodies over <paramref name="maxDataPduLength"/> and other PDUs
    /// over <paramref name="maxOtherPduLength"/> are refused before their body is read.
    /// </summary>
    public static async ValueTask<Pdu?> ReadAsync(Stream stream, uint maxDataPduLength, CancellationToken ct,
        int maxOtherPduLength = DefaultMaxAssociatePduLength)
    {
        var header = new byte[HeaderLength];
        var got = await ReadAtLeastAsync(stream, header, ct);
        if (got == 0) return null;
        if (got < HeaderLength) throw new DicomNetworkException($"stream ended inside the PDU header after {got} bytes", header[0], got);
        var type = header[0];
        if (type is 0 or > 7) throw new DicomNetworkException("unknown PDU type", type, 0);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2));
        var limit = type == (byte)PduType.DataTransfer ? (maxDataPduLength == 0 ? int.MaxValue - HeaderLength : maxDataPduLength) : (uint)maxOtherPduLength;
        if (length > limit) throw new DicomNetworkException($"PDU length {length} exceeds the limit {limit}", type, 2);
        var total = HeaderLength + (int)length;
        var buffer = new byte[Math.Min(total, HeaderLength + InitialBodyBuffer)];
        header.CopyTo(buffer, 0);
        var filled = HeaderLength;
        while (true)
        {
            got = await ReadAtLeastAsync(stream, buffer.AsMemory(filled), ct);
            filled += got;
            if (filled < buffer.Length)
                throw new DicomNetworkException($"stream ended inside the PDU: {filled - HeaderLength} of {length} body bytes", type, filled);
            if (filled == total) return Decode(buffer);
            Array.Resize(ref buffer, (int)Math.Min(total, 2L * buffer.Length));
        }
    }

    static async ValueTask<int> ReadAtLeastAsync(Stream s, Memory<byte> buffer, CancellationToken ct) =>
        await s.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);

    /// <summary>Decodes one whole PDU, header included; the length field must match the buffer.</summary>
    public static Pdu Decode(ReadOnlyMemory<byte> pdu)
    {
        var type = pdu.Length > 0 ? pdu.Span[0] : (byte)0;
        if (pdu.Length < HeaderLength) throw new DicomNetworkException($"PDU of {pdu.Length} bytes is shorter than its header", pdu.Length > 0 ? type : null, pdu.Length);
        if (type is 0 or > 7) throw new DicomNetworkException("unknown PDU type", type, 0);
        var length = BinaryPrimitives.ReadUInt32BigEndian(pdu.Span[2..]);
        if (length != pdu.Length - HeaderLength)
            throw new DicomNetworkException($"PDU length field {length} does not match the {pdu.Length - HeaderLength} bytes that follow the header", type, 2);
        var c = new Cursor(pdu, HeaderLength, pdu.Length, type);
        return (PduType)type switch
        {
            PduType.AssociateRequest or PduType.AssociateAccept => ReadAssociate(ref c, (PduType)type),
            PduType.AssociateReject => ReadReject(ref c),
            PduType.DataTransfer => ReadData(ref c),
            PduType.ReleaseRequest => ReadFixed4(ref c, new ReleaseRequestPdu()),
            PduType.ReleaseResponse => ReadFixed4(ref c, new ReleaseResponsePdu()),
            _ => ReadAbort(ref c),
        };
    }

    static Pdu ReadFixed4(ref Cursor c, Pdu pdu)
    {
        c.Bytes(4);
        c.ExpectEnd();
        return pdu;
    }

    static Pdu ReadReject(ref Cursor c)
    {
        c.U8();
        var r = new AssociateRejectPdu(c.U8(), c.U8(), c.U8());
        c.ExpectEnd();
        return r;
    }

    static Pdu ReadAbort(ref Cursor c)
    {
        c.U8();
        c.U8();
        var a = new AbortPdu(c.U8(), c.U8());
        c.ExpectEnd();
        return a;
    }

    static Pdu ReadData(ref Cursor c)
    {
        var values = new List<Pdv>();
        if (c.Remaining == 0) throw c.Error("P-DATA-TF without a presentation data value item");
        while (c.Remaining > 0)
        {
            var at = c.Position;
            var length = c.U32();
            if (length < 2) throw c.Error($"PDV item length {length} is shorter than its 2-byte header", at);
            if (length > c.Remaining) throw c.Error($"PDV item length {length} runs past the PDU end ({c.Remaining} bytes left)", at);
            var id = c.U8();
            var control = c.U8();
            if ((control & 0xFC) != 0) throw c.Error($"PDV message control header 0x{control:X2} has reserved bits set", c.Position - 1);
            values.Add(new Pdv(id, (control & 1) != 0, (control & 2) != 0, c.Memory((int)length - 2)));
        }
        return new DataTransferPdu(values);
    }

    static Pdu ReadAssociate(ref Cursor c, PduType type)
    {
        var version = c.U16();
        c.U16();
        var called = c.Ascii(16).Trim(' ');
        var calling = c.Ascii(16).Trim(' ');
        c.Bytes(32);
        string? appContext = null;
        var contexts = new List<PresentationContext>();
        UserInformation? user = null;
        while (c.Remaining > 0)
        {
            var (itemType, body) = c.Item();
            switch (itemType)
            {
                case 0x10:
                    appContext = Uid(body.Ascii(body.Remaining));
                    break;
                case 0x20 when type == PduType.AssociateRequest:
                case 0x21 when type == PduType.AssociateAccept:
                    contexts.Add(ReadPresentationContext(ref body, itemType == 0x21));
                    break;
                case 0x50:
                    user = ReadUserInformation(ref body);
                    break;
                default:
                    break; // unknown (or misplaced) item: skipped, PS3.8 §9.3.1
            }
        }
        if (appContext is null) throw c.Error("no application context item");
        if (user is null) throw c.Error("no user information item");
        if (type == PduType.AssociateRequest && contexts.Count == 0) throw c.Error("no presentation context item");
        return type == PduType.AssociateRequest
            ? new AssociateRequestPdu
            {
                ProtocolVersion = version, CalledAE = called, CallingAE = calling, ApplicationContext = appContext,
                PresentationContexts = contexts, UserInformation = user,
            }
            : new AssociateAcceptPdu
            {
                ProtocolVersion = version, CalledAE = called, CallingAE = calling, ApplicationContext = appContext,
                PresentationContexts = contexts, UserInformation = user,
            };
    }

    static PresentationContext ReadPresentationContext(ref Cursor c, bool accept)
    {
        var id = c.U8();
        c.U8();
        var result = c.U8();
        c.U8();
        string? abstractSyntax = null;
        var syntaxes = new List<string>();
        while (c.Remaining > 0)
        {
            var (t, body) = c.Item();
            if (t == 0x30 && !accept) abstractSyntax = Uid(body.Ascii(body.Remaining));
            else if (t == 0x40) syntaxes.Add(Uid(body.Ascii(body.Remaining)));
        }
        if (!accept && abstractSyntax is null) throw c.Error($"presentation context {id} has no abstract syntax");
        if (!accept && syntaxes.Count == 0) throw c.Error($"presentation context {id} proposes no transfer syntax");
        if (accept && result > 4) throw c.Error($"presentation context {id} has result {result}, not 0 to 4");
        return new PresentationContext(id, abstractSyntax ?? "", syntaxes, (PresentationContextResult)result);
    }

    static UserInformation ReadUserInformation(ref Cursor c)
    {
        var u = new UserInformation();
        List<RoleSelection> roles = [];
        List<ExtendedNegotiation> ext = [];
        List<CommonExtendedNegotiation> common = [];
        while (c.Remaining > 0)
        {
            var (t, b) = c.Item();
            switch (t)
            {
                case 0x51: u = u with { MaxPduLength = b.U32() }; b.ExpectEnd(); break;
                case 0x52: u = u with { ImplementationClassUid = Uid(b.Ascii(b.Remaining)) }; break;
                case 0x53: u = u with { AsyncOperationsWindow = (b.U16(), b.U16()) }; b.ExpectEnd(); break;
                case 0x54:
                    roles.Add(new RoleSelection(Uid(b.Ascii(b.U16())), b.U8() != 0, b.U8() != 0));
                    b.ExpectEnd();
                    break;
                case 0x55: u = u with { ImplementationVersionName = b.Ascii(b.Remaining).Trim(' ', '\0') }; break;
                case 0x56: ext.Add(new ExtendedNegotiation(Uid(b.Ascii(b.U16())), b.Bytes(b.Remaining))); break;
                case 0x57:
                    {
                        var sop = Uid(b.Ascii(b.U16()));
                        var service = Uid(b.Ascii(b.U16()));
                        var relatedLength = b.U16();
                        var end = b.Position + relatedLength;
                        if (relatedLength > b.Remaining) throw b.Error($"related general SOP class list length {relatedLength} runs past its item", b.Position - 2);
                        var related = new List<string>();
                        while (b.Position < end) related.Add(Uid(b.Ascii(b.U16())));
                        if (b.Position != end) throw b.Error("related general SOP class list overruns its length");
                        b.ExpectEnd();
                        common.Add(new CommonExtendedNegotiation(sop, service, related));
                        break;
                    }
                case 0x58:
                    {
                        var idType = b.U8();
                        var positive = b.U8() != 0;
                        var primary = b.Bytes(b.U16());
                        var secondary = b.Bytes(b.U16());
                        b.ExpectEnd();
                        u = u with { UserIdentity = new UserIdentityRequest(idType, positive, primary, secondary) };
                        break;
                    }
                case 0x59:
                    u = u with { UserIdentityServerResponse = b.Bytes(b.U16()) };
                    b.ExpectEnd();
                    break;
                default:
                    break; // unknown sub-item: skipped
            }
        }
        return u with { RoleSelections = roles, ExtendedNegotiations = ext, CommonExtendedNegotiations = common };
    }

    static string Uid(string s) => s.TrimEnd('\0', ' ');

    /// <summary>A bounded read position inside a PDU; offsets are absolute within the PDU.</summary>
    struct Cursor(ReadOnlyMemory<byte> data, int position, int end, byte pduType)
    {
        public int Position = position;
        public readonly int Remaining => end - Position;

        public readonly DicomNetworkException Error(string reason, int? at = null) => new(reason, pduType, at ?? Position);

        void Need(int n)
        {
            if (n > Remaining) throw Error($"{n} bytes needed but only {Remaining} left in the enclosing {(end == data.Length ? "PDU" : "item")}");
        }

        public byte U8()
        {
            Need(1);
            return data.Span[Position++];
        }

        public ushort U16()
        {
            Need(2);
            var v = BinaryPrimitives.ReadUInt16BigEndian(data.Span[Position..]);
            Position += 2;
            return v;
        }

        public uint U32()
        {
            Need(4);
            var v = BinaryPrimitives.ReadUInt32BigEndian(data.Span[Position..]);
            Position += 4;
            return v;
        }

        public ReadOnlyMemory<byte> Memory(int n)
        {
            Need(n);
            var m = data.Slice(Position, n);
            Position += n;
            return m;
        }

        public byte[] Bytes(int n) => Memory(n).ToArray();

        public string Ascii(int n) => Encoding.ASCII.GetString(Memory(n).Span);

        public readonly void ExpectEnd()
        {
            if (Remaining != 0) throw Error($"{Remaining} unexpected bytes at the end of the {(end == data.Length ? "PDU" : "item")}");
        }

        /// <summary>Reads an item header (type, reserved, 16-bit length) and returns a cursor bounded to its body.</summary>
        public (byte Type, Cursor Body) Item()
        {
            var at = Position;
            var type = U8();
            U8();
            var length = U16();
            if (length > Remaining)
                throw Error($"item 0x{type:X2} length {length} runs past the end of its enclosing {(end == data.Length ? "PDU" : "item")} ({Remaining} bytes left)", at);
            var body = new Cursor(data, Position, Position + length, pduType);
            Position += length;
            return (type, body);
        }
    }
}
