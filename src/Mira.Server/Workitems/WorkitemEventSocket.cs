using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Workitems;

namespace Mira.Server.Workitems;

/// <summary>
/// The event channel of an AE title (PS3.18 §11.11, "Open Event Channel": <c>GET /dicomweb/subscribers/{aetitle}</c>
/// upgraded to a WebSocket): each event report of the work items the AE title follows is one text message, a DICOM JSON
/// data set (PS3.18 §11.12). Authenticated like every DICOMweb request (a bearer token); only the account holding the AE
/// title receives its reports. The client sends nothing but control frames: a data message is read up to
/// <see cref="MaxClientMessageBytes"/> and ignored, a larger one closes the channel (1009, message too big).
/// </summary>
public static class WorkitemEventSocket
{
    public const int MaxClientMessageBytes = 4096;

    public static async Task<IResult> RunAsync(HttpContext h, MiraPlatform archive, string aeTitle)
    {
        if (!h.WebSockets.IsWebSocketRequest)
            return Problems.BadRequest("the event channel is a WebSocket: send GET with Upgrade: websocket (PS3.18 §11.11)");
        WorkitemEventListener listener;
        try
        {
            listener = await archive.Workitems.ListenAsync(aeTitle, WorkitemHttp.Actor(h), h.RequestAborted);
        }
        catch (WorkitemRefusedException e)
        {
            return WorkitemHttp.Problem(e);
        }
        using (listener)
        {
            using var socket = await h.WebSockets.AcceptWebSocketAsync();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(h.RequestAborted);
            var receiving = ReceiveAsync(socket, stop);
            try
            {
                await foreach (var report in listener.Reports.ReadAllAsync(stop.Token))
                    await socket.SendAsync(Encoding.UTF8.GetBytes(report), WebSocketMessageType.Text, true, stop.Token);
            }
            catch (OperationCanceledException) { }
            catch (WebSocketException) { }
            await stop.CancelAsync();
            await receiving;
        }
        return Results.Empty;
    }

    /// <summary>Reads what the client sends until it closes, or sends too much: then closes the channel and stops the sending.</summary>
    static async Task ReceiveAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[MaxClientMessageBytes];
        try
        {
            var length = 0;
            while (!stop.IsCancellationRequested)
            {
                var r = await socket.ReceiveAsync(buffer.AsMemory(length), stop.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed", CancellationToken.None);
                    break;
                }
                length = r.EndOfMessage ? 0 : length + r.Count;
                if (length >= MaxClientMessageBytes)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"at most {MaxClientMessageBytes} bytes", CancellationToken.None);
                    break;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
        await stop.CancelAsync();
    }
}
