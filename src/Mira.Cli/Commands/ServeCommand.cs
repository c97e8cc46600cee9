using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Mira.Server;

namespace Mira.Cli.Commands;

/// <summary><c>mira serve [--data DIR] [--urls URLS] [--db CONNECTION] [--demo]</c>: runs the archive (DICOMweb, status page).</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var urls = new Option<string>("--urls") { Description = "listening URLs, separated by ';'", DefaultValueFactory = _ => "http://127.0.0.1:8042" };
        var db = new Option<string?>("--db") { Description = "PostgreSQL connection string for the index (Host=…); default: SQLite in the data folder" };
        var demo = new Option<bool>("--demo") { Description = "load demo studies (synthetic CT, MR, PET of fictitious patients) if absent" };
        var cmd = new Command("serve", "Run the archive: DICOMweb under /dicomweb, a status page at /, /health") { data, urls, db, demo };
        cmd.SetAction((r, ct) => Run(r.GetValue(data)!, r.GetValue(urls)!, r.GetValue(db), r.GetValue(demo), ct));
        return cmd;
    }

    static async Task<int> Run(string data, string urls, string? connectionString, bool demo, CancellationToken ct)
    {
        try
        {
            var options = new ServerOptions { DataFolder = data, Urls = urls, ConnectionString = connectionString, Demo = demo };
            await using var app = await MiraServer.BuildAsync(options, ct);
            await app.StartAsync(ct);
            Console.WriteLine($"Mira is serving {Path.GetFullPath(data)} on {string.Join(", ", app.Urls)}");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"mira serve: {e.Message}");
            return 1;
        }
    }
}
