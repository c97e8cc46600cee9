using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Mira.Dicom;
using Mira.Dicom.Network;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// A hostile DIMSE peer on a raw socket: it writes PDUs byte by byte as it likes (claimed lengths, data sets after a
/// C-ECHO-RQ) and reports how the server answered. Used by the resource-limit regression tests.
/// </summary>
public sealed class RawDimsePeer : IDisposable
{
    readonly TcpClient client = new();
    NetworkStream Stream => client.GetStream();

    public static async Task<RawDimsePeer> ConnectAsync(int port)
    {
        var p = new RawDimsePeer();
        await p.client.ConnectAsync(IPAddress.Loopback, port);
        return p;
    }

    /// <summary>An A-ASSOCIATE-RQ for Verification (context 1) from <paramref name="callingAE"/>.</summary>
    public static byte[] EchoAssociateRequest(string callingAE, string calledAE = "MIRA") => PduWriter.Encode(new AssociateRequestPdu
    {
        CalledAE = calledAE, CallingAE = callingAE,
        PresentationContexts = [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])],
        UserInformation = new UserInformation { MaxPduLength = 16384, ImplementationClassUid = "1.2.3.4" },
    }).ToArray();

    public Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct = default) => Stream.WriteAsync(bytes, ct).AsTask();

    /// <summary>Reads one PDU header and body; null when the server closed the connection.</summary>
    public async Task<(PduType Type, byte[] Body)?> ReadPduAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var header = new byte[6];
        try
        {
            if (await Stream.ReadAtLeastAsync(header, 6, throwOnEndOfStream: false, cts.Token) < 6) return null;
            var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
            await Stream.ReadExactlyAsync(body, cts.Token);
            return ((PduType)header[0], body);
        }
        catch (IOException) { return null; }
    }

    /// <summary>One P-DATA-TF of one PDV (PS3.8 §9.3.5).</summary>
    public static byte[] DataPdu(byte context, bool command, bool last, ReadOnlySpan<byte> fragment)
    {
        var pdu = new byte[12 + fragment.Length];
        pdu[0] = (byte)PduType.DataTransfer;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(fragment.Length + 6));
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(6), (uint)(fragment.Length + 2));
        pdu[10] = context;
        pdu[11] = (byte)((command ? 1 : 0) | (last ? 2 : 0));
        fragment.CopyTo(pdu.AsSpan(12));
        return pdu;
    }

    /// <summary>
    /// A C-ECHO-RQ command set (Implicit VR Little Endian, PS3.7 §9.3.5) whose Command Data Set Type (0000,0800) is
    /// 0000, "a data set follows", which a C-ECHO never has.
    /// </summary>
    public static byte[] EchoCommandClaimingADataSet()
    {
        var body = new List<byte>();
        void Element(ushort element, byte[] value)
        {
            var e = new byte[8 + value.Length];
            BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(2), element);
            BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4), (uint)value.Length);
            value.CopyTo(e, 8);
            body.AddRange(e);
        }
        byte[] Us(ushort v) => [(byte)v, (byte)(v >> 8)];
        Element(0x0002, System.Text.Encoding.ASCII.GetBytes(DicomUids.Verification + "\0"));
        Element(0x0100, Us(0x0030)); // C-ECHO-RQ
        Element(0x0110, Us(1));
        Element(0x0800, Us(0x0000)); // a data set follows
        var groupLength = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)body.Count);
        var command = new List<byte>();
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 4);
        command.AddRange(header);
        command.AddRange(groupLength);
        command.AddRange(body);
        return [.. command];
    }

    /// <summary>
    /// Sends <paramref name="totalBytes"/> of data set fragments in P-DATA-TF PDUs of <paramref name="pduBody"/> bytes;
    /// returns how many were written before the server cut the connection.
    /// </summary>
    public async Task<long> StreamDataAsync(byte context, long totalBytes, int pduBody, CancellationToken ct)
    {
        var pdu = DataPdu(context, command: false, last: false, new byte[pduBody - 6]);
        long sent = 0;
        try
        {
            while (sent < totalBytes)
            {
                await Stream.WriteAsync(pdu, ct);
                sent += pdu.Length;
            }
        }
        catch (IOException) { }
        catch (SocketException) { }
        return sent;
    }

    public void Dispose() => client.Dispose();
}
