using System.Threading.Channels;

namespace Mira.Platform.Intake;

/// <summary>
/// Gathers single-instance stores arriving at the same time (C-STORE requests on parallel associations) into
/// batches for <see cref="IngestService"/>, so they share one durable group commit instead of paying one each.
/// Each caller still gets its own result only after its batch is durable (blob and index), so a C-STORE-RSP is
/// never sent for an instance a crash could lose. One batch is stored at a time; requests that arrive meanwhile
/// form the next batch.
/// </summary>
public sealed class IngestQueue : IAsyncDisposable
{
    readonly IngestService ingest;
    readonly Channel<Request> requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task loop;

    sealed record Request(ReadOnlyMemory<byte> Part, IngestSource Source, TaskCompletionSource<StoreResult> Done);

    public IngestQueue(IngestService ingest)
    {
        this.ingest = ingest;
        loop = Task.Run(RunAsync);
    }

    /// <summary>Stores one part; completes once it is durable (or refused).</summary>
    public Task<StoreResult> StoreAsync(ReadOnlyMemory<byte> part, IngestSource source)
    {
        var done = new TaskCompletionSource<StoreResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!requests.Writer.TryWrite(new Request(part, source, done)))
            done.SetException(new ObjectDisposedException(nameof(IngestQueue), "the archive is shutting down"));
        return done.Task;
    }

    async Task RunAsync()
    {
        var batch = new List<Request>(ingest.BatchSize);
        while (await requests.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < ingest.BatchSize && requests.Reader.TryRead(out var r)) batch.Add(r);
            try
            {
                var results = await ingest.StoreBatchAsync(batch.Select(r => (r.Part, r.Source)).ToList());
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var r in batch) r.Done.TrySetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        requests.Writer.TryComplete();
        await loop;
    }
}
