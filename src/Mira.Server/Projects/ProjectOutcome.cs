using Microsoft.AspNetCore.Http;

namespace Mira.Server.Projects;

/// <summary>
/// What one project operation (<see cref="ProjectOperations"/>) came to: done, with the value the API answers with
/// and its status, or refused, with the status and a message naming the field. The API turns it into JSON or a
/// problem; the web pages show the value or the message.
/// </summary>
public sealed record ProjectOutcome(int Status, string? Error, object? Value)
{
    public bool Succeeded => Error is null;

    public static ProjectOutcome Done(object value, int status = StatusCodes.Status200OK) => new(status, null, value);

    public static ProjectOutcome Refused(int status, string error) => new(status, error, null);

    public static ProjectOutcome BadRequest(string error) => Refused(StatusCodes.Status400BadRequest, error);

    public static ProjectOutcome NotFound(string error) => Refused(StatusCodes.Status404NotFound, error);

    public IResult ToResult() => Error is null
        ? Results.Json(Value, statusCode: Status)
        : Problems.Result(Status, Status switch
        {
            StatusCodes.Status400BadRequest => "Bad Request",
            StatusCodes.Status403Forbidden => "Forbidden",
            StatusCodes.Status404NotFound => "Not Found",
            StatusCodes.Status409Conflict => "Conflict",
            _ => "Error",
        }, Error);
}
