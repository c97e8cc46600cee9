using System.Buffers.Binary;

namespace Mira.Dicom.Network.Tests;

public class PduTests
{
    static AssociateRequestPdu FullRequest() => new()
    {
        CalledAE = "MIRA",
        CallingAE = "ECHOSCU",
        PresentationContexts =
        [
            new PresentationContext(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]),
            new PresentationContext(3, "1.2.840.10008.5.1.4.1.1.2", ["1.2.840.10008.1.2"]),
        ],
        UserInformation = new UserInformation
        {
            MaxPduLength = 16384,
            ImplementationClassUid = "1.2.3.4.5",
            ImplementationVersionName = "MIRA_1",
            AsyncOperationsWindow = (1, 1),
            RoleSelections = [new RoleSelection("1.2.840.10008.5.1.4.1.1.2", true, false)],
            ExtendedNegotiations = [new ExtendedNegotiation("1.2.840.10008.5.1.4.1.2.1.1", [1, 0, 1])],
            CommonExtendedNegotiations = [new CommonExtendedNegotiation("1.2.3", "1.2.840.10008.4.2", ["1.2.4", "1.2.5"])],
            UserIdentity = new UserIdentityRequest(2, true, "user"u8.ToArray(), "secret"u8.ToArray()),
        },
    };

    [Fact]
    public void AssociateRequest_round_trips_with_every_sub_item()
    {
        var bytes = PduWriter.Encode(FullRequest());
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal((uint)bytes.Length - 6, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)));
        var back = Assert.IsType<AssociateRequestPdu>(PduReader.Decode(bytes));
        Assert.Equal("MIRA", back.CalledAE);
        Assert.Equal("ECHOSCU", back.CallingAE);
        Assert.Equal(AssociatePdu.DicomApplicationContext, back.ApplicationContext);
        Assert.Equal(2, back.PresentationContexts.Count);
        Assert.Equal(["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"], back.PresentationContexts[0].TransferSyntaxes);
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", back.PresentationContexts[1].AbstractSyntax);
        var u = back.UserInformation;
        Assert.Equal(16384u, u.MaxPduLength);
        Assert.Equal("1.2.3.4.5", u.ImplementationClassUid);
        Assert.Equal("MIRA_1", u.ImplementationVersionName);
        Assert.Equal(((ushort)1, (ushort)1), u.AsyncOperationsWindow);
        Assert.Equal(FullRequest().UserInformation.RoleSelections[0], u.RoleSelections[0]);
        Assert.Equal([1, 0, 1], u.ExtendedNegotiations[0].ServiceClassApplicationInformation);
        Assert.Equal(["1.2.4", "1.2.5"], u.CommonExtendedNegotiations[0].RelatedGeneralSopClasses);
        Assert.Equal("user"u8.ToArray(), u.UserIdentity!.PrimaryField);
        Assert.Equal("secret"u8.ToArray(), u.UserIdentity.SecondaryField);
        Assert.Equal(bytes, PduWriter.Encode(back));
    }

    [Fact]
    public void AssociateAccept_round_trips_with_results()
    {
        var ac = new AssociateAcceptPdu
        {
            CalledAE = "MIRA",
            CallingAE = "SCU",
            PresentationContexts =
            [
                new PresentationContext(1, "", ["1.2.840.10008.1.2"]),
                new PresentationContext(3, "", [], PresentationContextResult.AbstractSyntaxNotSupported),
            ],
            UserInformation = new UserInformation { MaxPduLength = 0, UserIdentityServerResponse = [9, 8] },
        };
        var bytes = PduWriter.Encode(ac);
        var back = Assert.IsType<AssociateAcceptPdu>(PduReader.Decode(bytes));
        Assert.Equal("1.2.840.10008.1.2", back.PresentationContexts[0].TransferSyntax);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, back.PresentationContexts[1].Result);
        Assert.Equal(0u, back.UserInformation.MaxPduLength);
        Assert.Equal([9, 8], back.UserInformation.UserIdentityServerResponse);
        Assert.Equal(bytes, PduWriter.Encode(back));
    }

    public static TheoryData<Pdu> FixedPdus() => new()
    {
        new AssociateRejectPdu(AssociateRejectPdu.Permanent, AssociateRejectPdu.SourceUser, AssociateRejectPdu.CalledAENotRecognized),
        new ReleaseRequestPdu(),
        new ReleaseResponsePdu(),
        new AbortPdu(AbortPdu.SourceProvider, AbortPdu.UnexpectedPdu),
    };

    [Theory]
    [MemberData(nameof(FixedPdus))]
    public void Fixed_pdus_are_ten_bytes_and_round_trip(Pdu pdu)
    {
        var bytes = PduWriter.Encode(pdu);
        Assert.Equal(10, bytes.Length);
        Assert.Equal(pdu, PduReader.Decode(bytes));
    }

    [Fact]
    public void DataTransfer_round_trips_several_pdvs()
    {
        var pdu = new DataTransferPdu([new Pdv(1, true, true, new byte[] { 1, 2, 3, 4 }), new Pdv(1, false, false, new byte[] { 5, 6 })]);
        var bytes = PduWriter.Encode(pdu);
        Assert.Equal(6 + 6 + 4 + 6 + 2, bytes.Length);
        Assert.Equal(0x03, bytes[11]);
        Assert.Equal(0x00, bytes[6 + 10 + 5]);
        var back = Assert.IsType<DataTransferPdu>(PduReader.Decode(bytes));
        Assert.Equal(2, back.Values.Count);
        Assert.True(back.Values[0].IsCommand && back.Values[0].IsLast);
        Assert.False(back.Values[1].IsCommand || back.Values[1].IsLast);
        Assert.Equal([5, 6], back.Values[1].Data.ToArray());
    }

    [Fact]
    public void Unknown_items_and_sub_items_are_skipped()
    {
        var bytes = PduWriter.Encode(FullRequest()).ToList();
        // An unknown item (0x77) after the fixed fields, and an unknown user information sub-item (0x5F) at the end.
        bytes.InsertRange(74, new byte[] { 0x77, 0, 0, 3, 1, 2, 3 });
        var userAt = bytes.LastIndexOf(0x50);
        while (bytes[userAt + 4] != 0x51) userAt = bytes.LastIndexOf(0x50, userAt - 1);
        bytes.AddRange(new byte[] { 0x5F, 0, 0, 1, 42 });
        var userLength = BinaryPrimitives.ReadUInt16BigEndian(bytes.GetRange(userAt + 2, 2).ToArray());
        var patched = bytes.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(patched.AsSpan(userAt + 2), (ushort)(userLength + 5));
        BinaryPrimitives.WriteUInt32BigEndian(patched.AsSpan(2), (uint)patched.Length - 6);
        var back = Assert.IsType<AssociateRequestPdu>(PduReader.Decode(patched));
        Assert.Equal(2, back.PresentationContexts.Count);
        Assert.Equal(16384u, back.UserInformation.MaxPduLength);
        Assert.Equal(PduWriter.Encode(FullRequest()), PduWriter.Encode(back));
    }

    [Fact]
    public void Unknown_pdu_type_names_the_type_and_offset()
    {
        var ex = Assert.Throws<DicomNetworkException>(() => PduReader.Decode(new byte[] { 0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0 }));
        Assert.Equal((byte)0x09, ex.PduType);
        Assert.Equal(0, ex.Offset);
        Assert.Contains("PDU type 0x09", ex.Message);
    }

    [Fact]
    public void Length_field_that_disagrees_with_the_bytes_is_refused()
    {
        var bytes = PduWriter.Encode(new ReleaseRequestPdu());
        bytes[5] = 5;
        var ex = Assert.Throws<DicomNetworkException>(() => PduReader.Decode(bytes));
        Assert.Equal((byte)0x05, ex.PduType);
        Assert.Equal(2, ex.Offset);
    }

    [Fact]
    public void Item_longer_than_its_pdu_is_refused_at_its_offset()
    {
        var bytes = PduWriter.Encode(FullRequest());
        Assert.Equal(0x10, bytes[74]);
        bytes[76] = 0xFF; // application context item length now 0xFFxx
        var ex = Assert.Throws<DicomNetworkException>(() => PduReader.Decode(bytes));
        Assert.Equal((byte)0x01, ex.PduType);
        Assert.Equal(74, ex.Offset);
        Assert.Contains("runs past", ex.Message);
    }

    [Fact]
    public void Sub_item_longer_than_its_item_is_refused()
    {
        var bytes = PduWriter.Encode(FullRequest());
        var at = bytes.AsSpan().IndexOf(new byte[] { 0x51, 0, 0, 4 });
        Assert.True(at > 0);
        bytes[at + 2] = 0x10; // 4100 bytes: past the user information item
        var ex = Assert.Throws<DicomNetworkException>(() => PduReader.Decode(bytes));
        Assert.Equal(at, ex.Offset);
    }

    [Fact]
    public void Pdv_length_past_the_pdu_end_is_refused()
    {
        var bytes = PduWriter.Encode(new DataTransferPdu([new Pdv(1, true, true, new byte[] { 1, 2 })]));
        bytes[9] = 10;
        var ex = Assert.Throws<DicomNetworkException>(() => PduReader.Decode(bytes));
        Assert.Equal((byte)0x04, ex.PduType);
        Assert.Equal(6, ex.Offset);
    }

    [Fact]
    public void Truncated_pdus_are_refused()
    {
        var bytes = PduWriter.Encode(FullRequest());
        for (var cut = 1; cut < bytes.Length; cut += 7)
        {
            var part = bytes[..cut];
            if (cut >= 6) BinaryPrimitives.WriteUInt32BigEndian(part.AsSpan(2), (uint)cut - 6);
            Assert.Throws<DicomNetworkException>(() => PduReader.Decode(part));
        }
    }

    [Fact]
    public async Task Stream_reader_refuses_oversize_and_truncated_pdus()
    {
        var data = PduWriter.Encode(new DataTransferPdu([new Pdv(1, true, true, new byte[100])]));
        var over = await Assert.ThrowsAsync<DicomNetworkException>(async () => await PduReader.ReadAsync(new MemoryStream(data), 50, default));
        Assert.Equal(2, over.Offset);
        var cut = await Assert.ThrowsAsync<DicomNetworkException>(async () => await PduReader.ReadAsync(new MemoryStream(data[..40]), 0, default));
        Assert.Equal(40, cut.Offset);
        Assert.Null(await PduReader.ReadAsync(new MemoryStream(), 0, default));
        var ok = await PduReader.ReadAsync(new MemoryStream(data), 106, default);
        Assert.IsType<DataTransferPdu>(ok);
    }

    [Fact]
    public void Invalid_ae_title_is_refused_on_encode()
    {
        Assert.Throws<ArgumentException>(() => PduWriter.Encode(FullRequest() with { CalledAE = "THIS_IS_TOO_LONG_AE" }));
    }
}
