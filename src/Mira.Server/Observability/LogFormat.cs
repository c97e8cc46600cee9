namespace Mira.Server.Observability;

/// <summary>How the server writes its log to the console.</summary>
public enum LogFormat
{
    /// <summary>Plain text lines (the default).</summary>
    Plain,

    /// <summary>One JSON object per line (ASP.NET Core's JSON console formatter), with its scopes: the request's id and path,
    /// the trace and span ids. For log collectors.</summary>
    Json,
}
