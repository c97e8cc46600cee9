using System.Net;

namespace Mira.Dicom.Network.Tests;

/// <summary>
/// A refusal's reason travels as the response's Error Comment, which a command set can only carry in the default
/// repertoire: a reason with '×' or '§' must still reach the peer (before, the response could not be sent and the
/// peer waited for its timeout).
/// </summary>
public class ErrorCommentTests
{
    const string Reason = "frame 16384 × 16384 is larger than the limit (PS3.5 §8.2), refused";

    sealed class RefusingEcho : VerificationService
    {
        public override ValueTask<DicomMessage?> HandleAsync(DimseOperation operation) =>
            ValueTask.FromResult<DicomMessage?>(DimseMessages.WithErrorComment(DicomMessage.ResponseTo(operation.Request, DicomStatus.UnableToProcess), Reason));
    }

    [Fact]
    public async Task A_failure_whose_reason_has_characters_outside_the_default_repertoire_reaches_the_peer_with_them_replaced()
    {
        await using var server = new DicomServer(new RefusingEcho(), new DicomServerOptions { Address = IPAddress.Loopback, Port = 0 });
        server.Start();
        await using var association = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "TESTSCU", "MIRA",
            [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        var request = DicomMessage.EchoRequest(1);
        request.PresentationContextId = 1;
        await association.SendAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await association.ReceiveAsync(timeout.Token);
        Assert.NotNull(response);
        Assert.Equal(DicomStatus.UnableToProcess, response.Status);
        var comment = response.Command.GetString(DicomTags.ErrorComment)!.Trim();
        Assert.Equal(Reason.Replace('×', '?').Replace('§', '?')[..Math.Min(64, Reason.Length)], comment);
        Assert.All(comment, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void The_comment_is_cut_to_64_characters_and_loses_backslashes_and_control_characters()
    {
        var response = DimseMessages.WithErrorComment(DicomMessage.ResponseTo(DicomMessage.EchoRequest(1), DicomStatus.UnableToProcess),
            "a\\b\nc" + new string('x', 100));
        Assert.Equal("a b c" + new string('x', 59), response.Command.GetString(DicomTags.ErrorComment));
    }
}
