using Mira.Storage.Projects;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests.Projects;

/// <summary>Project members on SQLite and PostgreSQL.</summary>
public abstract class ProjectStoreMemberTests : SecurityTestBase
{
    [Fact]
    public async Task Members_are_listed_and_a_removed_member_has_no_role()
    {
        var projects = await ProjectStore.OpenAsync(Db);
        Assert.True(await projects.CreateAsync("m", "m", "basic", "{}", "hash", new byte[32]));
        await projects.SetMemberAsync("m", "bob", ProjectRoles.Lead);
        await projects.SetMemberAsync("m", "alice", ProjectRoles.Member);
        Assert.Equal([new ProjectMember("m", "alice", "member"), new ProjectMember("m", "bob", "lead")], await projects.ListMembersAsync("m"));
        Assert.True(await projects.RemoveMemberAsync("m", "alice"));
        Assert.False(await projects.RemoveMemberAsync("m", "alice"));
        Assert.Null(await projects.GetMemberRoleAsync("m", "alice"));
        Assert.Equal(["bob"], (await projects.ListMembersAsync("m")).Select(x => x.User));
    }
}

public sealed class ProjectStoreMemberSqliteTests : ProjectStoreMemberTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class ProjectStoreMemberPostgresTests(PostgresServer server) : ProjectStoreMemberTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
