using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Platform.Datasets;
using Mira.Platform.Demo;
using Mira.Platform.Deployment;
using Mira.Platform.Intake;
using Mira.Platform.Evaluations;
using Mira.Platform.Jobs;
using Mira.Platform.Models;
using Mira.Platform.Observability;
using Mira.Platform.Research;
using Mira.Platform.Security;
using Mira.Platform.Sites;
using Mira.Platform.Statistics;
using Mira.Platform.Workitems;
using Mira.Storage;
using Mira.Storage.Annotations;
using Mira.Storage.Blobs;
using Mira.Storage.Cluster;
using Mira.Storage.Evaluations;
using Mira.Storage.Datasets;
using Mira.Storage.Deployments;
using Mira.Storage.Index;
using Mira.Storage.Jobs;
using Mira.Storage.Lineage;
using Mira.Storage.Migrations;
using Mira.Storage.Models;
using Mira.Storage.Network;
using Mira.Storage.Projects;
using Mira.Storage.Security;
using Mira.Storage.Sites;
using Mira.Storage.Workitems;

namespace Mira.Platform;

/// <summary>
/// The composition root: the one place that opens Mira's database and data folder and wires the zones' services. The
/// server and every archive command (<c>import</c>, <c>user</c>, <c>token</c>, <c>audit</c>, <c>ae</c>,
/// <c>archive verify</c>) open it the same way, from the same <see cref="PlatformOptions"/>, so they always act on the
/// same database, SQLite or PostgreSQL.
/// </summary>
public sealed class MiraPlatform : IAsyncDisposable
{
    MiraPlatform(PlatformOptions options, string dataFolder, StorageDatabase database, SqlIndexStore index, BlobStoreFactory blobStores, IBlobStore blobs,
        IngestJournal journal)
    {
        BlobStores = blobStores;
        Options = options;
        DataFolder = dataFolder;
        Database = database;
        Index = index;
        Blobs = blobs;
        Audit = new AuditLog(database, options.Security);
        Tokens = new TokenStore(database, options.Security);
        WebSessions = new WebSessionStore(database, options.Security);
        Accounts = new AccountService(new AccountStore(database, options.Security), Tokens);
        ApplicationEntities = new ApplicationEntityService(new ApplicationEntityStore(database));
        var jobStore = new JobStore(database);
        Telemetry = new MiraTelemetry(options.NodeName ?? Environment.MachineName, new JobTableMonitor(jobStore, TimeSpan.FromSeconds(5)));
        Health = new PlatformHealth(database, blobs, new JobTableMonitor(jobStore, TimeSpan.FromSeconds(1)), Telemetry.Node);
        Jobs = new JobService(jobStore, options.Jobs) { Telemetry = Telemetry };
        Projects = new ProjectService(index, blobs, Audit, new ProjectStore(database), new ProjectArchives(dataFolder, database, blobStores), Jobs,
            new DeidRunStore(database));
        Ingest = new IngestService(index, blobs) { Journal = journal, Limits = options.IntakeLimits, Telemetry = Telemetry };
        IngestQueue = new IngestQueue(Ingest);
        Intake = new IntakeService(Ingest, IngestQueue, Projects, Audit);
        Conversion = new ConversionIntake(Ingest, index, blobs, Mira.Conversion.ImageConverters.CreateBuiltIn());
        Statistics = new StatisticsService(index, Projects, Audit);
        var annotationStore = new AnnotationStore(database);
        Annotations = new AnnotationService(annotationStore, new ProtocolCatalog(annotationStore), Projects, Accounts, Audit, options.AnnotationEncodings);
        Datasets = new DatasetService(new DatasetStore(database), Projects, Annotations, Audit, dataFolder);
        Models = new ModelRegistry(new ModelStore(database), blobs, Audit);
        Workitems = new WorkitemService(new WorkitemStore(database), index, Audit);
        Evaluations = new EvaluationService(new EvaluationStore(database), Models, Datasets, Projects, Jobs, Audit, blobs, dataFolder, options.Evaluations);
        Deployments = new DeploymentService(new DeploymentStore(database), Models, index, blobs, Ingest, ApplicationEntities, Jobs, Audit, dataFolder,
            options.Evaluations, options.Deployments, Annotations, Projects, Datasets, Workitems);
        Intake.Deployments = Deployments;
        Annotations.TasksCreated = Deployments.QueuePrefillAsync;
        Sites = new HubSites(new SiteStore(database), Accounts, Tokens, Projects, Audit);
        SitePush = new SitePush(new HubLinkStore(database), index, blobs, Projects.Store, Projects.Runs, Audit);
        JobHandlers = [new SitePushJob(SitePush), new ProjectRuleCopyJob(Projects), new EvaluationRunJob(Evaluations), new DeploymentInferenceJob(Deployments), new PrefillJob(Deployments)];
        // Several nodes over one PostgreSQL: AE table changes and UPS event reports reach the other nodes at once.
        Signals = new ClusterSignals(database);
        ApplicationEntities.Changed = ct => Signals.PublishAsync(ClusterTopics.AeTable, "", ct);
        if (Signals.Enabled)
        {
            Workitems.Events.Relay = text => Signals.PublishAsync(ClusterTopics.WorkitemEvents, text);
            Signals.On(ClusterTopics.WorkitemEvents, Workitems.Events.DeliverRelayed);
        }
        Annotations.HiddenStudies = async (actor, project, ct) =>
            (await Datasets.SequesteredCasesAsync(new DatasetActor(actor.Name, actor.Roles), project, ct)).Studies;
    }

    public PlatformOptions Options { get; }
    /// <summary>The data folder, as a full path.</summary>
    public string DataFolder { get; }
    public StorageDatabase Database { get; }
    public IIndexStore Index { get; }
    /// <summary>The intake's blob store: in the data folder or an S3 bucket (<see cref="PlatformOptions.Blobs"/>).</summary>
    public IBlobStore Blobs { get; }
    /// <summary>Opens the intake's and the projects' blob stores (one S3 client for all).</summary>
    public BlobStoreFactory BlobStores { get; }
    /// <summary>The ingest pipeline (parse once, store byte-exact, index); transports go through <see cref="Intake"/>.</summary>
    public IngestService Ingest { get; }
    /// <summary>Single-instance stores arriving together (DIMSE C-STORE) share group commits through here.</summary>
    public IngestQueue IngestQueue { get; }
    /// <summary>The intake zone's way in, with the after-store steps every transport shares.</summary>
    public IntakeService Intake { get; }
    /// <summary>NIfTI, photographs and whole-slide images into the intake, converted to DICOM (issue 16).</summary>
    public ConversionIntake Conversion { get; }
    /// <summary>The known DIMSE application entities (<c>mira ae</c>).</summary>
    public ApplicationEntityService ApplicationEntities { get; }
    public AccountService Accounts { get; }
    public TokenStore Tokens { get; }
    /// <summary>The web workspace's cookie sessions (server side: sign-out and password changes end them at once).</summary>
    public WebSessionStore WebSessions { get; }
    public AuditLog Audit { get; }
    /// <summary>Research projects: their table, vault, own archives and rule copies (<c>docs/projects.md</c>).</summary>
    public ProjectService Projects { get; }
    /// <summary>Statistics and the supervision view's aggregate queries (<c>docs/statistics.md</c>).</summary>
    public StatisticsService Statistics { get; }
    /// <summary>Annotation protocols, tasks, reads, review and arbitration, agreement, export (<c>docs/annotation.md</c>).</summary>
    public AnnotationService Annotations { get; }
    /// <summary>Dataset releases: splits by patient, leakage checks, datasheets, downloads, the evaluation runner's reads (<c>docs/datasets.md</c>).</summary>
    public DatasetService Datasets { get; }
    /// <summary>The model registry: immutable model versions, packages stored by content hash (<c>docs/models.md</c>).</summary>
    public ModelRegistry Models { get; }
    /// <summary>Evaluation phases, submissions, runs, signed reports and leaderboards (<c>docs/evaluation.md</c>).</summary>
    public EvaluationService Evaluations { get; }
    /// <summary>Deployment rules: a study arrives, a model runs, its result goes to the archive and the PACS (<c>docs/deployment.md</c>).</summary>
    public DeploymentService Deployments { get; }
    /// <summary>The UPS worklist: work items for external task performers, their state machine and events (<c>docs/workitems.md</c>).</summary>
    public WorkitemService Workitems { get; }
    /// <summary>Messages to the other nodes over the same database (<c>docs/cluster.md</c>); the server starts listening.</summary>
    public ClusterSignals Signals { get; }
    /// <summary>The hub's side of sites: registered sites, project sources, recipe and key hand-outs (<c>docs/sites.md</c>).</summary>
    public HubSites Sites { get; }
    /// <summary>The site's side: its hub link and the push of de-identified copies (<c>docs/sites.md</c>).</summary>
    public SitePush SitePush { get; }
    /// <summary>The durable job table.</summary>
    public JobService Jobs { get; }
    /// <summary>Metrics and spans (<c>docs/operations.md</c>): the meter and activity source named <c>Mira</c>.</summary>
    public MiraTelemetry Telemetry { get; }
    /// <summary>The database, blob store and job engine checks behind <c>/health</c>.</summary>
    public PlatformHealth Health { get; }
    /// <summary>The job kinds this platform runs.</summary>
    public IReadOnlyList<IJobHandler> JobHandlers { get; }

    /// <summary>
    /// Opens (creating when missing) the database and the data folder: applies the missing migrations (one runner,
    /// every table), removes what an interrupted ingest left when <see cref="PlatformOptions.RecoverInterruptedIngest"/>
    /// (the server, before it takes any request), and wires the services.
    /// </summary>
    public static async Task<MiraPlatform> OpenAsync(PlatformOptions options, CancellationToken ct = default)
    {
        var data = Path.GetFullPath(options.DataFolder);
        Directory.CreateDirectory(data);
        var db = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? StorageDatabase.Sqlite(Storage.DataFolder.IndexPath(data))
            : StorageDatabase.FromConnectionString(options.ConnectionString);
        var migrated = await MigrationRunner.ApplyAsync(db, MigrationCatalog.Intake, ct);
        if (migrated.From > 0 && migrated.Applied.Count > 0)
            await options.Console.WriteLineAsync($"Schema: upgraded the database from version {migrated.From} to {migrated.To} ({string.Join("; ", migrated.Applied)}).");
        var index = new SqlIndexStore(db);
        var blobStores = new BlobStoreFactory(options.Blobs, data);
        var blobs = blobStores.OpenIntake();
        var journal = new IngestJournal(Storage.DataFolder.JournalRoot(data));
        if (options.RecoverInterruptedIngest)
        {
            // A blob written without its index commit was never acknowledged (ingest answers only after both), so it
            // is removed. The intent log names the batches that were in flight: this costs nothing like a walk of the
            // blob tree. Index rows are never touched here.
            // In S3 only uploads older than S3BlobStoreOptions.IncompleteWriteAge: other nodes share the bucket.
            blobs.RemoveIncompleteWrites();
            var removed = await journal.RecoverAsync(index, blobs, ct);
            if (removed > 0)
                await options.Console.WriteLineAsync($"Recovery: removed {removed} unacknowledged blob(s) left by an interrupted ingest.");
        }
        var platform = new MiraPlatform(options, data, db, index, blobStores, blobs, journal);
        // The built-in protocols as version 1, or as a new version where this Mira changed one (tasks keep theirs).
        await platform.Annotations.Protocols.EnsureBuiltInsAsync(ct);
        return platform;
    }

    /// <summary>A worker for this platform's job kinds (the server runs one unless <see cref="JobOptions.Worker"/> is off).</summary>
    public JobWorker CreateJobWorker(Action<string>? log = null) => new(Jobs, JobHandlers, log);

    /// <summary>
    /// First start: creates <c>admin</c> when no account exists, with <paramref name="password"/> (else
    /// <c>MIRA_ADMIN_PASSWORD</c>, else a generated one printed once), and audits it.
    /// </summary>
    public async Task<AdminBootstrap> BootstrapAdminAsync(string? password, CancellationToken ct = default)
    {
        var bootstrap = await Accounts.EnsureAdminAsync(password ?? Environment.GetEnvironmentVariable("MIRA_ADMIN_PASSWORD"), ct);
        if (bootstrap.Outcome == AdminBootstrapOutcome.CreatedWithGeneratedPassword)
        {
            // Never on the console: consoles end up in service logs. A file only its owner can read, in the data folder.
            await WriteOwnerOnlyAsync(GeneratedAdminPasswordFile, bootstrap.GeneratedPassword + "\n", ct);
            await Options.Console.WriteLineAsync($"Created the account 'admin' with a generated password, in {GeneratedAdminPasswordFile} (readable only by its owner).");
            await Options.Console.WriteLineAsync("It must be changed at the first sign-in; set MIRA_ADMIN_PASSWORD before the first start to choose it instead.");
        }
        if (bootstrap.Outcome != AdminBootstrapOutcome.AccountsExist)
            await Audit.AppendAsync(new AuditEntry("system", AuditActions.AccountBootstrap, AccountStore.AdminUser), ct);
        return bootstrap;
    }

    /// <summary>Where the first start writes a generated <c>admin</c> password (mode 0600); deleted once it is changed.</summary>
    public string GeneratedAdminPasswordFile => Path.Combine(DataFolder, "admin-password.txt");

    static async Task WriteOwnerOnlyAsync(string path, string text, CancellationToken ct)
    {
        File.Delete(path); // a file left from before keeps its mode; a new one gets 0600 from the start
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var f = new FileStream(path, options);
        await f.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct);
        await f.FlushAsync(ct);
    }

    /// <summary>Loads the demo studies (fictitious patients) when absent, through the intake like any other upload.</summary>
    public async Task<DemoLoadResult> LoadDemoAsync(CancellationToken ct = default)
    {
        var demo = await DemoStudies.EnsureLoadedAsync(Ingest, ct);
        if (demo.Stored > 0)
        {
            await Audit.AppendAsync(new AuditEntry("system", AuditActions.DemoLoad, $"{demo.Stored} demo instances"), ct);
            await Options.Console.WriteLineAsync($"Loaded the demo studies: {demo.Stored} instances of 3 fictitious patients.");
        }
        return demo;
    }

    public async ValueTask DisposeAsync()
    {
        await Signals.DisposeAsync();
        await IngestQueue.DisposeAsync();
        BlobStores.Dispose();
        Telemetry.Dispose();
    }
}
