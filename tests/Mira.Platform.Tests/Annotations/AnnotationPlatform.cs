using System.Text;
using Dapper;
using Mira.Deid;
using Mira.Platform.Annotations;
using Mira.Platform.Demo;

namespace Mira.Platform.Tests.Annotations;

/// <summary>
/// A platform over a temporary data folder with the demo studies in the intake, a project <c>ann</c> holding a
/// de-identified copy of the MR demo study, the glioma and fundus protocols attached, a steward and five annotators
/// (members of the project), and one account without the annotator role.
/// </summary>
public class AnnotationPlatform : IAsyncLifetime
{
    PostgresServer? postgres;

    /// <summary>Whether the platform's database is PostgreSQL (a private server this fixture starts) rather than SQLite.</summary>
    protected virtual bool OnPostgreSql => false;

    public const string ProjectId = "ann";
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-annotation-tests-" + Guid.NewGuid().ToString("N"));

    public MiraPlatform Platform { get; private set; } = null!;
    public AnnotationService Service => Platform.Annotations;
    /// <summary>The de-identified MR study in the project.</summary>
    public string Study { get; private set; } = "";
    /// <summary>Every de-identified demo study in the project (MR, CT, PET with its CT).</summary>
    public IReadOnlyList<string> Studies { get; private set; } = [];

    public static AnnotationActor Steward { get; } = new("steward", [Roles.Steward]);
    public static AnnotationActor Person(string name) => new(name, [Roles.Annotator]);
    public static readonly string[] People = ["alice", "bob", "carol", "dave", "erin"];

    public async Task InitializeAsync()
    {
        string? connection = null;
        if (OnPostgreSql)
        {
            postgres = new PostgresServer();
            await postgres.InitializeAsync();
            connection = await postgres.CreateDatabaseConnectionStringAsync();
        }
        Platform = await MiraPlatform.OpenAsync(new PlatformOptions
        {
            DataFolder = folder, ConnectionString = connection, Console = TextWriter.Null, Security = new SecurityOptions { Pbkdf2Iterations = 1000 },
        });
        await DemoStudies.EnsureLoadedAsync(Platform.Ingest);
        await Platform.Accounts.CreateUserAsync("steward", "password-123456", [Roles.Steward]);
        await Platform.Accounts.CreateUserAsync("outsider", "password-123456", [Roles.Developer]);
        var recipe = DeidRecipe.Load("research");
        Assert.True(await Platform.Projects.Store.CreateAsync(ProjectId, "Annotation tests", recipe.Name, recipe.ToJson(), recipe.Hash, new byte[32]));
        foreach (var p in People)
        {
            await Platform.Accounts.CreateUserAsync(p, "password-123456", [Roles.Annotator]);
            await Platform.Projects.Store.SetMemberAsync(ProjectId, p, "member");
        }
        await Platform.Projects.Store.SetMemberAsync(ProjectId, "outsider", "member");
        var project = (await Platform.Projects.Store.GetAsync(ProjectId))!;
        var copy = await Platform.Projects.CopyStudiesAsync(project, [.. new[] { "mr", "ct", "pt" }.Select(DemoStudies.StudyUid)], "steward");
        Assert.Equal(DemoStudies.InstanceCount, copy.Copied);
        var archive = await Platform.Projects.Archives.GetAsync(ProjectId);
        await using (var c = await archive.Index.Database.OpenAsync())
        {
            Study = Assert.Single(await c.QueryAsync<string>("SELECT DISTINCT st.study_uid FROM studies st JOIN series se ON se.study_fk = st.id WHERE se.modality = 'MR'"));
            Studies = [.. await c.QueryAsync<string>("SELECT study_uid FROM studies ORDER BY study_uid")];
        }
        await Service.AttachProtocolAsync(Steward, ProjectId, "glioma-brats", null);
        await Service.AttachProtocolAsync(Steward, ProjectId, "fundus-dr-multidisease", null);
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        try { Directory.Delete(folder, true); } catch (IOException) { }
        if (postgres is not null) await postgres.DisposeAsync();
    }

    /// <summary>A fundus grading task on the study with two readers.</summary>
    public Task<long> FundusTaskAsync(string a = "alice", string b = "bob", string reviewer = "carol", string arbitrator = "dave", bool qcAll = true) =>
        Service.CreateTaskAsync(Steward, ProjectId, new TaskRequest(Study, null, null, "fundus-dr-multidisease", [a, b], reviewer, arbitrator));

    /// <summary>The fundus form with ICDR grade <paramref name="grade"/>.</summary>
    public static ReadBody Form(int grade, string laterality = "R") =>
        new("application/json", Encoding.UTF8.GetBytes($$"""{"laterality": "{{laterality}}", "gradability": "gradable", "icdrDr": {{grade}}}"""));

    /// <summary>The audit records of an action, oldest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> AuditOfAsync(string action)
    {
        return [.. (await Platform.Audit.ReadAsync(1, 100_000)).Where(r => r.Action == action)];
    }
}

/// <summary>The same platform with its database (and so every project index) on PostgreSQL.</summary>
public sealed class PostgreSqlAnnotationPlatform : AnnotationPlatform
{
    protected override bool OnPostgreSql => true;
}
