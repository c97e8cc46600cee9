using Mira.Deid;

namespace Mira.Platform.Research;

/// <summary>What a project's recipe may be, and the override a steward gave to keep direct identifiers.</summary>
/// <param name="Recipe">The recipe as parsed.</param>
/// <param name="KeptDirectIdentifiers">The direct identifiers it keeps (<see cref="DirectIdentifiers.KeptBy"/>).</param>
/// <param name="OverrideReason">The steward's recorded reason for keeping them; null when none are kept.</param>
public sealed record CheckedRecipe(DeidRecipe Recipe, IReadOnlyList<string> KeptDirectIdentifiers, string? OverrideReason);

/// <summary>
/// The rules a project's recipe must pass before a project is created with it. A recipe given as an object may not
/// take the name of a built-in recipe (<c>basic</c>, <c>research</c>: those names promise what PS3.15 Annex E's
/// profile and options remove, and a look-alike could keep names under them). A recipe that keeps a direct
/// identifier is refused unless the request carries an explicit override with a reason, which the caller audits.
/// </summary>
public static class ProjectRecipePolicy
{
    /// <summary>Names only the built-in recipes carry.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = ["basic", "research"];

    /// <summary>Shortest reason accepted for an override (a word or two is not a justification).</summary>
    public const int MinimumReasonLength = 10;

    public static bool IsBuiltInName(string name) => BuiltInNames.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks a recipe for a new project.</summary>
    /// <param name="recipe">The parsed recipe.</param>
    /// <param name="builtIn">True when the caller named a built-in recipe (not an object of its own).</param>
    /// <param name="overrideReason">The steward's reason to keep direct identifiers; null when no override was given.</param>
    /// <exception cref="ProjectRecipeRefusedException">The recipe breaks a rule; the message names the field and what to change.</exception>
    public static CheckedRecipe Check(DeidRecipe recipe, bool builtIn, string? overrideReason)
    {
        if (!builtIn && IsBuiltInName(recipe.Name))
            throw new ProjectRecipeRefusedException("recipe",
                $"the name '{recipe.Name}' belongs to a built-in recipe ({string.Join(", ", BuiltInNames)}); give the string \"{recipe.Name.Trim().ToLowerInvariant()}\" to use it, or name your recipe differently");
        var kept = DirectIdentifiers.KeptBy(recipe);
        if (overrideReason is not null && overrideReason.Trim().Length < MinimumReasonLength)
            throw new ProjectRecipeRefusedException("keepDirectIdentifiers",
                $"an override needs a reason of at least {MinimumReasonLength} characters (why this project needs identified data)");
        if (kept.Count == 0) return new CheckedRecipe(recipe, kept, null);
        if (overrideReason is null)
            throw new ProjectRecipeRefusedException("recipe",
                $"recipe '{recipe.Name}' keeps direct identifiers ({string.Join(", ", kept)}); remove those overrides, or, as a steward, "
                + "send \"keepDirectIdentifiers\": {\"reason\": \"…\"} to create an identified project (the override is audited)");
        return new CheckedRecipe(recipe, kept, overrideReason.Trim());
    }
}

/// <summary>A recipe a project may not use; <see cref="Field"/> names the request field at fault.</summary>
public sealed class ProjectRecipeRefusedException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
