using System.CommandLine;
using System.Text;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira user add NAME --role R[,R…]</c>, <c>list</c>, <c>disable</c>, <c>enable</c>, <c>passwd</c> and <c>role</c>: the
/// accounts of the archive (the database the server uses). Every change is audited.
/// </summary>
public static class UserCommand
{
    public const string PasswordVariable = "MIRA_PASSWORD";

    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
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
            """) { name, role, data, db, blobsOption, s3EndpointOption };
        add.SetAction((r, ct) => AddAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(name)!, r.GetValue(role)!, ct));

        var list = new Command("list", "List accounts with their roles") { data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), ct));

        Command Change(string verb, string description, Func<ParseResult, MiraPlatform, string, CancellationToken, Task<int>> change, params Option[] extra)
        {
            var user = new Argument<string>("name") { Description = "user name" };
            var cmd = new Command(verb, description) { user, data, db, blobsOption, s3EndpointOption };
            foreach (var o in extra) cmd.Options.Add(o);
            cmd.SetAction(async (r, ct) =>
            {
                var location = new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption));
                if (location.RequireExisting() is { } code) return code;
                await using var platform = await location.OpenAsync(ct);
                return await change(r, platform, r.GetValue(user)!, ct);
            });
            return cmd;
        }

        var disable = Change("disable", "Disable an account: its password stops working and its tokens are revoked at once, on a running server too. Exit codes: 0 done, 1 no such user",
            (_, p, n, ct) => SetDisabledAsync(p, n, true, ct));
        var enable = Change("enable", "Enable a disabled account. Exit codes: 0 done, 1 no such user", (_, p, n, ct) => SetDisabledAsync(p, n, false, ct));
        var passwd = Change("passwd", $"Set a new password, read from {PasswordVariable} or the first line of stdin. Exit codes: 0 done, 1 no such user, 2 invalid password",
            (_, p, n, ct) => PasswordAsync(p, n, ct));
        var roles = new Option<string>("--role") { Description = "the new roles, comma separated: " + string.Join(", ", Roles.All), Required = true };
        var roleCommand = Change("role", "Replace an account's roles. Exit codes: 0 done, 1 no such user, 2 unknown role",
            (r, p, n, ct) => SetRolesAsync(p, n, r.GetValue(roles)!, ct), roles);
        return new Command("user", "User accounts") { add, list, disable, enable, passwd, roleCommand };
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
        if (location.RequireValidBlobs() is { } invalid) return invalid;
        await using var platform = await location.OpenAsync(ct);
        var accounts = platform.Accounts;
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
        await platform.Audit.AppendAsync(new AuditEntry(TokenCommand.Actor, AuditActions.UserCreate, account.Name, "local", AuditOutcome.Success,
            System.Text.Json.JsonSerializer.Serialize(new { roles = account.Roles })), ct);
        Console.WriteLine($"created {account.Name} ({string.Join(",", account.Roles)})");
        return 0;
    }

    static async Task<int> ListAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var accounts = platform.Accounts;
        Console.WriteLine("name\troles\tstate\tcreated");
        foreach (var a in await accounts.ListAsync(ct))
            Console.WriteLine($"{a.Name}\t{string.Join(",", a.Roles)}\t{(a.Disabled ? "disabled" : "enabled")}\t{TokenCommand.Format(a.CreatedUtc)}");
        return 0;
    }

    static async Task<int> SetDisabledAsync(MiraPlatform platform, string name, bool disabled, CancellationToken ct)
    {
        if (await platform.Accounts.SetDisabledCountingAsync(name, disabled, ct) is not { } revoked) return NoSuchUser(name);
        await platform.Audit.AppendAsync(new AuditEntry(TokenCommand.Actor, disabled ? AuditActions.UserDisable : AuditActions.UserEnable,
            AccountStore.NormalizeUserName(name), "local", AuditOutcome.Success,
            disabled ? System.Text.Json.JsonSerializer.Serialize(new { revokedTokens = revoked }) : null), ct);
        Console.WriteLine($"{(disabled ? "disabled" : "enabled")} {AccountStore.NormalizeUserName(name)}"
            + (disabled ? $" ({revoked} token{(revoked == 1 ? "" : "s")} revoked)" : ""));
        return 0;
    }

    static async Task<int> PasswordAsync(MiraPlatform platform, string name, CancellationToken ct)
    {
        if (await platform.Accounts.GetAsync(name, ct) is null) return NoSuchUser(name);
        var password = Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } p ? p : ReadPassword();
        try
        {
            if (string.IsNullOrEmpty(password)) throw new ArgumentException($"no password (set {PasswordVariable} or give it on stdin)");
            if (!await platform.Accounts.SetPasswordAsync(name, password, ct)) return NoSuchUser(name);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 2;
        }
        await platform.Audit.AppendAsync(new AuditEntry(TokenCommand.Actor, AuditActions.UserPassword, AccountStore.NormalizeUserName(name), "local"), ct);
        Console.WriteLine($"password changed for {AccountStore.NormalizeUserName(name)}");
        return 0;
    }

    static async Task<int> SetRolesAsync(MiraPlatform platform, string name, string roleList, CancellationToken ct)
    {
        var roles = roleList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            if (roles.Length == 0) throw new ArgumentException($"--role: at least one role among {string.Join(", ", Roles.All)}");
            if (!await platform.Accounts.SetRolesAsync(name, roles, ct)) return NoSuchUser(name);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 2;
        }
        var account = (await platform.Accounts.GetAsync(name, ct))!;
        await platform.Audit.AppendAsync(new AuditEntry(TokenCommand.Actor, AuditActions.UserRoles, account.Name, "local", AuditOutcome.Success,
            System.Text.Json.JsonSerializer.Serialize(new { roles = account.Roles })), ct);
        Console.WriteLine($"{account.Name} ({string.Join(",", account.Roles)})");
        return 0;
    }

    static int NoSuchUser(string name)
    {
        Console.Error.WriteLine($"mira: no user '{name}'");
        return 1;
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
