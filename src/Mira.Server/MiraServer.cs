using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mira.Dicom.Codecs.OpenJpeg;
using Mira.Server.Dicomweb;
using Mira.Server.Security;
using Mira.Server.Web;
using Mira.Platform;

namespace Mira.Server;

/// <summary>
/// The archive server: DICOMweb (STOW-RS, QIDO-RS, WADO-RS, DELETE) under <c>/dicomweb</c>, <c>GET /health</c>
/// (anonymous) and <c>GET /metrics</c> (Prometheus; role operator or admin: <see cref="Observability.ServerTelemetry"/>), the web workspace (<see cref="Web.WebWorkspace"/>: <c>/login</c>, the home page at <c>/</c>, …), research
/// projects under <c>/api/projects</c>, accounts under <c>/api/account</c> and <c>/api/users</c>, the image viewer under
/// <c>/viewer/</c> (OHIF, with <c>/studies/{uid}/view</c> links into it), statistics under <c>/api/statistics</c> and
/// <c>/statistics/plots</c>, and the OpenAPI description at
/// <c>/openapi.json</c>; everything but the
/// health check needs HTTP Basic or a bearer token, and every state-changing request passes the cross-site request
/// forgery checks (<see cref="RequestForgeryGuard"/>). HTTP or HTTPS (Kestrel), with HSTS on HTTPS.
/// </summary>
public static class MiraServer
{
    /// <summary>Opens the stores, bootstraps the admin account on first start and builds the application.</summary>
    public static WebApplication Build(ServerOptions options) => BuildAsync(options).GetAwaiter().GetResult();

    public static async Task<WebApplication> BuildAsync(ServerOptions options, CancellationToken ct = default)
    {
        if (!OpenJpegCodec.TryRegister(CodecRegistry.Default, out var noJpeg2000))
            await options.Console.WriteLineAsync("JPEG 2000 and HTJ2K pixel data will not be decoded: " + noJpeg2000);
        var archive = await MiraPlatform.OpenAsync(options.Platform, ct);
        var bootstrap = await archive.BootstrapAdminAsync(options.AdminPassword, ct);
        if (options.Demo)
        {
            await archive.LoadDemoAsync(ct);
            // A demo is tried at a console: the first password is shown there too. It is good for one sign-in only,
            // which must replace it (and deletes the file), so the console keeps no lasting secret.
            if (bootstrap.Outcome == Mira.Storage.Security.AdminBootstrapOutcome.CreatedWithGeneratedPassword)
                await options.Console.WriteLineAsync($"Demo: sign in as admin with the one-time password {bootstrap.GeneratedPassword} (you choose your own at the first sign-in).");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // HTTPS: a certificate from --tls-cert/--tls-key, else Kestrel's configuration (Kestrel:Certificates:Default:Path
        // and :KeyPath, e.g. the environment variables Kestrel__Certificates__Default__Path/__KeyPath).
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls(options.Urls);
        // Per-request framework logs (routing, results) would print several lines per DICOMweb request; access to
        // patient data is recorded in the audit log instead. Start-up and shutdown messages stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", Microsoft.Extensions.Logging.LogLevel.Warning);
        // The antiforgery keys are kept unencrypted in the database (WebWorkspace.AddDataProtection): said once in docs/web.md, not at every start.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", Microsoft.Extensions.Logging.LogLevel.Error);
        var certificate = TlsCertificate.Load(options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            if (certificate is not null) k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
        });
        builder.Services.AddSingleton(archive);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options.SignIn);
        // Failed sign-ins are counted in the database: every node of a deployment holds back the same guesser.
        builder.Services.AddSingleton(sp => new SignInThrottle(sp.GetRequiredService<SignInOptions>(), sp.GetRequiredService<TimeProvider>(),
            new Mira.Storage.Cluster.SignInFailureStore(archive.Database)));
        builder.Services.AddSingleton<PasswordSignIn>();
        builder.Services.AddSingleton<MiraAuthentication>();
        builder.Services.AddSingleton<RequestForgeryGuard>();
        // For the cookie sessions of the web workspace: RequestForgeryGuard demands a token from every cookie-signed request.
        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = "mira_antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        // The web workspace: Razor components rendered on the server (static rendering, plain HTML forms).
        builder.Services.AddRazorComponents();
        WebWorkspace.AddDataProtection(builder.Services, archive);
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = options.HstsMaxAge;
            o.ExcludedHosts.Clear(); // an operator who serves HTTPS on localhost asked for HTTPS there too
        });
        builder.Services.AddSingleton<ITransferSyntaxConverter>(new CodecTransferSyntaxConverter(CodecRegistry.Default, options.DecodeLimits));
        builder.Services.AddProblemDetails();
        if (options.Dimse is { } dimse && (dimse.Port is not null || dimse.TlsPort is not null))
        {
            builder.Services.AddSingleton(dimse);
            builder.Services.AddSingleton<Mira.Server.Dimse.DimseListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Mira.Server.Dimse.DimseListener>());
        }
        builder.Services.AddHostedService<ClusterSignalsService>();
        if (options.Jobs.Worker) builder.Services.AddHostedService<JobWorkerService>();
        Observability.ServerTelemetry.Add(builder, options, archive.Telemetry);
        if (options.SitePushInterval is { } every) builder.Services.AddHostedService(sp => new Sites.SitePushScheduler(archive, every));
        options.ConfigureBuilder?.Invoke(builder);

        var app = builder.Build();
        var intakeLog = app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Mira.Intake");
        archive.Intake.Problem += message => intakeLog.LogWarning("{Message}", message);
        // Before anything reads the client address: only configured proxies may say who the client is.
        if (ProxyTrust.Options(options.TrustedProxies) is { } forwarded) app.UseForwardedHeaders(forwarded);
        if (options.HstsMaxAge > TimeSpan.Zero) app.UseHsts(); // HTTPS answers only (RFC 6797 §7.2)
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var auth = app.Services.GetRequiredService<MiraAuthentication>();
        app.Use((context, next) => auth.InvokeAsync(context, next));
        var forgery = app.Services.GetRequiredService<RequestForgeryGuard>();
        app.Use((context, next) => forgery.InvokeAsync(context, next));
        app.UseAntiforgery(); // the forms of the web workspace's pages (RequestForgeryGuard covers every other request)
        // The UPS-RS event channels (Workitems.WorkitemEventSocket); pings keep idle channels open through proxies.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        Observability.HealthEndpoint.Map(app, options);
        Observability.ServerTelemetry.Map(app);
        WebWorkspace.Map(app);
        app.MapGet("/openapi.json", OpenApi);
        var dicomweb = app.MapGroup(DicomwebUrls.Prefix);
        StowEndpoints.Map(dicomweb);
        QidoEndpoints.Map(dicomweb, DicomwebRoutes.Intake);
        WadoEndpoints.Map(dicomweb);
        Workitems.WorkitemEndpoints.Map(dicomweb);
        Projects.ProjectEndpoints.Map(app.MapGroup("/api/projects"));
        AccountEndpoints.Map(app);
        Viewer.ViewerEndpoints.Map(app, options);
        Statistics.StatisticsEndpoints.Map(app);
        Intake.ConversionEndpoints.Map(app);
        Annotations.AnnotationEndpoints.Map(app);
        Models.ModelEndpoints.Map(app);
        Models.EvaluationEndpoints.Map(app);
        Deployment.DeploymentEndpoints.Map(app);
        Deployment.ResultReviewEndpoints.Map(app);
        Datasets.DatasetEndpoints.Map(app);
        Sites.SiteEndpoints.Map(app);
        return app;
    }

    static IResult OpenApi()
    {
        var stream = typeof(MiraServer).Assembly.GetManifestResourceStream("Mira.Server.openapi.json")
                     ?? throw new InvalidOperationException("the OpenAPI description is not embedded");
        return Results.Stream(stream, "application/json");
    }
}
