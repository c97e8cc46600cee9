using System.Text.RegularExpressions;
using Mira.Platform.Audit;
using Mira.Testing;

namespace Mira.Platform.Tests.Audit;

/// <summary>The audit action catalogue is the only source of action names.</summary>
public partial class AuditActionsTests
{
    [GeneratedRegex(@"new AuditEntry\([^,;]+,\s*""([^""]+)""|PatientDataAccess\(""([^""]+)""|AuditChangeAsync\([^,]+,[^,]+,\s*""([^""]+)""|Audited[A-Za-z]*Async\([^,]+,\s*""([^""]+)""")]
    private static partial Regex LiteralAction();

    [Fact]
    public void Names_are_unique_and_shaped_area_dot_verb()
    {
        Assert.Equal(AuditActions.All.Count, AuditActions.All.Distinct(StringComparer.Ordinal).Count());
        Assert.All(AuditActions.All, a => Assert.Matches("^[a-z]+\\.[a-z-]+$", a));
    }

    [Fact]
    public void No_code_writes_an_action_name_that_is_not_taken_from_the_catalogue()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Corpus.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LiteralAction().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetFileName(f)}: {m.Value}"))
            .ToList();
        Assert.True(offenders.Count == 0, "action names written as literals (add them to AuditActions): " + string.Join("; ", offenders));
    }
}
