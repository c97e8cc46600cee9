using System.Text.RegularExpressions;
using Mira.Storage.Projects;

namespace Mira.Storage.Tests.Projects;

/// <summary>Project ids mapped to PostgreSQL schema names: plain identifiers, one-to-one, within 63 characters.</summary>
public sealed class ProjectSchemaTests
{
    [Theory]
    [InlineData("a", "mira_project_a")]
    [InlineData("lung-ct-2026", "mira_project_lung_ct_2026")]
    [InlineData("a--b-", "mira_project_a__b_")]
    public void Short_ids_map_hyphens_to_underscores(string id, string schema) => Assert.Equal(schema, ProjectSchema.NameOf(id));

    [Fact]
    public void Every_name_is_a_plain_identifier_within_the_limit_and_distinct()
    {
        var ids = new List<string> { "a-b", "a--b", "ab" };
        for (var n = 45; n <= 63; n++)
        {
            ids.Add(new string('a', n));
            ids.Add(new string('a', n - 1) + "b");
            ids.Add(new string('a', n - 2) + "-b");
        }
        var names = ids.Select(ProjectSchema.NameOf).ToList();
        Assert.All(names, s => Assert.Matches(new Regex("^mira_project_[a-z0-9_]+$"), s));
        Assert.All(names, s => Assert.InRange(s.Length, 1, ProjectSchema.MaxLength));
        Assert.Equal(names.Count, names.Distinct().Count());
        // A 50-character id maps to 63 characters plainly, so it is hashed; 49 characters stay plain.
        Assert.Equal(ProjectSchema.Prefix + new string('a', 49), ProjectSchema.NameOf(new string('a', 49)));
        Assert.NotEqual(ProjectSchema.Prefix + new string('a', 50), ProjectSchema.NameOf(new string('a', 50)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("a\"; DROP SCHEMA public; --")]
    public void Invalid_ids_are_refused(string id) => Assert.Throws<ArgumentException>(() => ProjectSchema.NameOf(id));

    [Fact]
    public void Quoting_doubles_embedded_quotes() => Assert.Equal("\"a\"\"b\"", ProjectSchema.Quote("a\"b"));
}
