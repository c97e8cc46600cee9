using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Storage.Security;

namespace Mira.Server.Security;

/// <summary>
/// Accounts over HTTP. <c>/api/account</c> is the caller's own (who am I; change my password, every user, with the
/// current password, throttled like a sign-in). <c>/api/users</c> is for admins: list, create, disable or enable and
/// change roles (<c>PATCH</c>), reset a password (the user must then choose a new one). Disabling revokes the
/// account's tokens; the last enabled admin cannot be disabled or demoted. Every change is audited with the client
/// address, refusals too.
/// </summary>
public static class AccountEndpoints
{
    public const string AccountRoute = "/api/account";
    public const string PasswordRoute = AccountRoute + "/password";

    /// <summary>The requests an account that must change its password may still make.</summary>
    public static bool IsPasswordChange(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) && request.Path.Equals(PasswordRoute, StringComparison.OrdinalIgnoreCase))
        || (HttpMethods.IsGet(request.Method) && request.Path.Equals(AccountRoute, StringComparison.OrdinalIgnoreCase));

    public static void Map(WebApplication app)
    {
        app.MapGet(AccountRoute, Me);
        app.MapPost(PasswordRoute, ChangeOwnPassword);
        var users = app.MapGroup("/api/users");
        users.MapGet("/", List);
        users.MapPost("/", Create);
        users.MapPatch("/{name}", Update);
        users.MapPut("/{name}/password", ResetPassword);
    }

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    static Task AuditAsync(MiraPlatform a, HttpContext h, string action, string resource, AuditOutcome outcome = AuditOutcome.Success, object? details = null) =>
        a.Audit.AppendAsync(new AuditEntry(UserOf(h).Name, action, resource, h.Connection.RemoteIpAddress?.ToString(), outcome,
            details is null ? null : JsonSerializer.Serialize(details)), CancellationToken.None);

    static object Describe(UserAccount u) => new { name = u.Name, roles = u.Roles, disabled = u.Disabled, mustChangePassword = u.MustChangePassword, created = u.CreatedUtc };

    static string? StringField(JsonObject body, string name) => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static IResult Forbidden(string detail) => Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", detail);

    static async Task<IResult?> RequireAdminAsync(HttpContext h, MiraPlatform a, string action, string resource)
    {
        if (UserOf(h).IsInRole(Roles.Admin)) return null;
        await AuditAsync(a, h, action, resource, AuditOutcome.Denied);
        return Forbidden($"'{action}' needs the role {Roles.Admin}");
    }

    static async Task<IResult> Me(HttpContext h, MiraPlatform a)
    {
        var user = UserOf(h);
        var account = await a.Accounts.GetAsync(user.Name, h.RequestAborted);
        return Results.Json(new { name = user.Name, roles = user.Roles, mustChangePassword = account?.MustChangePassword ?? false });
    }

    /// <summary><c>{"currentPassword": "…", "newPassword": "…"}</c>: the current password is checked like a sign-in
    /// (throttled, audited on failure), whatever credential the request came with.</summary>
    static async Task<IResult> ChangeOwnPassword(HttpContext h, MiraPlatform a, PasswordSignIn signIn)
    {
        var user = UserOf(h);
        if (await JsonBody.ReadObjectAsync(h) is not { } body) return Problems.BadRequest("the body must be a JSON object {currentPassword, newPassword}");
        if (StringField(body, "currentPassword") is not { Length: > 0 } current) return Problems.BadRequest("field 'currentPassword': required");
        if (StringField(body, "newPassword") is not { } next) return Problems.BadRequest("field 'newPassword': required");
        var result = await OwnPasswordChange.ChangeAsync(a, signIn, user.Name, current, next, h.Connection.RemoteIpAddress, h.RequestAborted);
        switch (result.Outcome)
        {
            case PasswordChangeOutcome.Throttled or PasswordChangeOutcome.Busy:
                h.Response.Headers.RetryAfter = result.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problems.Result(result.Outcome == PasswordChangeOutcome.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable,
                    "Too many failed sign-ins", "try again after Retry-After");
            case PasswordChangeOutcome.WrongCurrentPassword:
                return Forbidden("field 'currentPassword': wrong password");
            case PasswordChangeOutcome.NoSuchUser:
                return Problems.NotFound(result.Message!);
            case PasswordChangeOutcome.Invalid:
                return Problems.BadRequest($"field 'newPassword': {result.Message}");
        }
        return Results.Json(new { name = user.Name, passwordChanged = true });
    }

    static async Task<IResult> List(HttpContext h, MiraPlatform a)
    {
        if (await RequireAdminAsync(h, a, AuditActions.UserList, "/api/users") is { } denied) return denied;
        return Results.Json((await a.Accounts.ListAsync(h.RequestAborted)).Select(Describe).ToArray());
    }

    /// <summary><c>{"name": "…", "password": "…", "roles": ["…"], "mustChangePassword": true}</c> (the default: the user
    /// chooses their own password at the first sign-in).</summary>
    static async Task<IResult> Create(HttpContext h, MiraPlatform a)
    {
        if (await RequireAdminAsync(h, a, AuditActions.UserCreate, "/api/users") is { } denied) return denied;
        if (await JsonBody.ReadObjectAsync(h) is not { } body) return Problems.BadRequest("the body must be a JSON object {name, password, roles}");
        if (StringField(body, "name") is not { } name || !AccountStore.TryNormalizeUserName(name, out _))
            return Problems.BadRequest("field 'name': 1-64 characters of a-z, 0-9, '.', '_', '@', '-', starting with a letter or digit");
        if (StringField(body, "password") is not { } password) return Problems.BadRequest("field 'password': required");
        if (RolesField(body) is not { Count: > 0 } roles) return Problems.BadRequest($"field 'roles': a non-empty array among {string.Join(", ", Roles.All)}");
        var mustChange = body["mustChangePassword"] is not JsonValue m || !m.TryGetValue<bool>(out var b) || b;
        UserAccount account;
        try
        {
            account = await a.Accounts.CreateUserAsync(name, password, roles, mustChange, h.RequestAborted);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.ParamName == "password" ? $"field 'password': {e.Message}" : $"field 'roles': {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return Problems.Result(StatusCodes.Status409Conflict, "Conflict", $"field 'name': {e.Message}");
        }
        await AuditAsync(a, h, AuditActions.UserCreate, account.Name, details: new { roles = account.Roles, mustChangePassword = mustChange });
        return Results.Json(Describe(account), statusCode: StatusCodes.Status201Created);
    }

    static IReadOnlyList<string>? RolesField(JsonObject body) =>
        body["roles"] is JsonArray array && array.All(r => r is JsonValue v && v.TryGetValue<string>(out _))
            ? [.. array.Select(r => (string)r!)] : null;

    /// <summary><c>{"disabled": true|false, "roles": ["…"]}</c>, either or both. Disabling revokes every token of the account.</summary>
    static async Task<IResult> Update(HttpContext h, MiraPlatform a, string name)
    {
        if (await RequireAdminAsync(h, a, AuditActions.UserRoles, name) is { } denied) return denied;
        if (await JsonBody.ReadObjectAsync(h) is not { } body || (!body.ContainsKey("disabled") && !body.ContainsKey("roles")))
            return Problems.BadRequest("the body must be a JSON object with 'disabled' (true or false), 'roles' (an array), or both");
        bool? disabled = null;
        if (body.ContainsKey("disabled"))
        {
            if (body["disabled"] is not JsonValue d || !d.TryGetValue<bool>(out var value)) return Problems.BadRequest("field 'disabled': true or false");
            disabled = value;
        }
        IReadOnlyList<string>? roles = null;
        if (body.ContainsKey("roles"))
        {
            if (RolesField(body) is not { Count: > 0 } r) return Problems.BadRequest($"field 'roles': a non-empty array among {string.Join(", ", Roles.All)}");
            try
            {
                roles = Roles.Normalize(r);
            }
            catch (ArgumentException e)
            {
                return Problems.BadRequest($"field 'roles': {e.Message}");
            }
        }
        if (await a.Accounts.GetAsync(name, h.RequestAborted) is not { } account) return Problems.NotFound($"no user '{name}'");
        var losesAdmin = account.Roles.Contains(Roles.Admin) && !account.Disabled
                         && (disabled == true || (roles is not null && !roles.Contains(Roles.Admin)));
        if (losesAdmin && await a.Accounts.CountEnabledAdminsAsync(h.RequestAborted) <= 1)
            return Problems.Result(StatusCodes.Status409Conflict, "Conflict",
                $"'{account.Name}' is the last enabled admin; make another admin first (or use 'mira user' on the server)");
        if (roles is not null)
        {
            await a.Accounts.SetRolesAsync(account.Name, roles, h.RequestAborted);
            await AuditAsync(a, h, AuditActions.UserRoles, account.Name, details: new { roles });
        }
        var revoked = 0;
        if (disabled is { } off && off != account.Disabled)
        {
            revoked = await a.Accounts.SetDisabledCountingAsync(account.Name, off, h.RequestAborted) ?? 0;
            await AuditAsync(a, h, off ? AuditActions.UserDisable : AuditActions.UserEnable, account.Name,
                details: off ? new { revokedTokens = revoked } : null);
        }
        var now = (await a.Accounts.GetAsync(account.Name, h.RequestAborted))!;
        return Results.Json(new { name = now.Name, roles = now.Roles, disabled = now.Disabled, mustChangePassword = now.MustChangePassword, revokedTokens = revoked });
    }

    /// <summary><c>{"password": "…", "mustChangePassword": true}</c> (the default): an administrator's reset.</summary>
    static async Task<IResult> ResetPassword(HttpContext h, MiraPlatform a, string name)
    {
        if (await RequireAdminAsync(h, a, AuditActions.UserPassword, name) is { } denied) return denied;
        if (await JsonBody.ReadObjectAsync(h) is not { } body || StringField(body, "password") is not { } password)
            return Problems.BadRequest("the body must be a JSON object {password, mustChangePassword}");
        var mustChange = body["mustChangePassword"] is not JsonValue m || !m.TryGetValue<bool>(out var b) || b;
        if (await a.Accounts.GetAsync(name, h.RequestAborted) is not { } account) return Problems.NotFound($"no user '{name}'");
        try
        {
            await a.Accounts.SetPasswordAsync(account.Name, password, mustChange, h.RequestAborted);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest($"field 'password': {e.Message}");
        }
        await AuditAsync(a, h, AuditActions.UserPassword, account.Name, details: new { mustChangePassword = mustChange });
        return Results.Json(new { name = account.Name, passwordChanged = true, mustChangePassword = mustChange });
    }
}
