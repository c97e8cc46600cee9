using System.CommandLine;
using System.Text;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary><c>mira user add NAME --role R[,R…]</c> and <c>mira user list</c>: accounts of the embedded archive.</summary>
public static class UserCommand
{
    public const string PasswordVariable = "MIRA_PASSWORD";

    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var name = new Argument<string>("name") { Description = "user name: a-z, 0-9, '.', '_', '@', '-' (lowercased)" };
        var role = new Option<string>("--role")
        {
            Description = "roles, comma separated: " + string.Join(", ", Roles.All),
            Required = true,
        };
        var add = new Command("add", $"""
            Create an account. The password is read from the environment variable {PasswordVariable} when set,
            otherwise from the first line of stdin (typed without echo on a terminal); never from an argument.
            Exit codes: 0 created, 1 the user exists, 2 invalid name, role or password.
            """) { name, role, data };
        add.SetAction((r, ct) => AddAsync(new ArchiveLocation(r.GetValue(data)!), r.GetValue(name)!, r.GetValue(role)!, ct));

        var list = new Command("list", "List accounts with their roles") { data };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!), ct));
        return new Command("user", "User accounts") { add, list };
    }

    static async Task<int> AddAsync(ArchiveLocation location, string name, string roleList, CancellationToken ct)
    {
        var roles = roleList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!AccountStore.TryNormalizeUserName(name, out _) || roles.Length == 0 || !roles.All(Roles.IsKnown))
        {
            Console.Error.WriteLine($"mira: need a valid user name and roles among {string.Join(", ", Roles.All)}");
            return 2;
        }
        var password = Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } p ? p : ReadPassword();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine($"mira: no password (set {PasswordVariable} or give it on stdin)");
            return 2;
        }
        Directory.CreateDirectory(location.Folder);
        var accounts = await AccountStore.OpenAsync(location.Database, ct: ct);
        UserAccount account;
        try
        {
            account = await accounts.CreateUserAsync(name, password, roles, ct);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 2;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 1;
        }
        var log = await AuditLog.OpenAsync(location.Database, ct: ct);
        await log.AppendAsync(new AuditEntry(TokenCommand.Actor, "user.create", account.Name, "local", AuditOutcome.Success,
            System.Text.Json.JsonSerializer.Serialize(new { roles = account.Roles })), ct);
        Console.WriteLine($"created {account.Name} ({string.Join(",", account.Roles)})");
        return 0;
    }

    static async Task<int> ListAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        var accounts = await AccountStore.OpenAsync(location.Database, ct: ct);
        Console.WriteLine("name\troles\tstate\tcreated");
        foreach (var a in await accounts.ListAsync(ct))
            Console.WriteLine($"{a.Name}\t{string.Join(",", a.Roles)}\t{(a.Disabled ? "disabled" : "enabled")}\t{TokenCommand.Format(a.CreatedUtc)}");
        return 0;
    }

    static string? ReadPassword()
    {
        if (Console.IsInputRedirected) return Console.In.ReadLine();
        Console.Error.Write("password: ");
        var sb = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (sb.Length > 0) sb.Length--; }
            else if (!char.IsControl(key.KeyChar)) sb.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return sb.ToString();
    }
}
