using System.CommandLine;
using System.Text.Json;
using Mira.Deid;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira deid-recipe NAME|R.json [--tsv]</c>: what a de-identification recipe does, attribute by attribute (every
/// row of PS3.15 Table E.1-1 with the recipe's options and overrides resolved), for review before a project uses it.
/// <c>--tsv</c> prints the list in the layout of ../shared/bench/phi_attributes.tsv, so attribute-list checkers (such as
/// ../shared/bench/deid_check.py) can check an output against the recipe itself.
/// </summary>
public static class DeidRecipeCommand
{
    public static Command Create()
    {
        var recipe = new Argument<string>("recipe") { Description = "built-in recipe (basic, research) or a recipe JSON file" };
        var tsv = new Option<bool>("--tsv") { Description = "tab-separated tag, keyword, action, value (the bench attribute-list layout)" };
        var cmd = new Command("deid-recipe", "Show what a de-identification recipe does to every attribute of PS3.15 Table E.1-1") { recipe, tsv };
        cmd.SetAction(r => Run(r.GetValue(recipe)!, r.GetValue(tsv)));
        return cmd;
    }

    static int Run(string name, bool tsv)
    {
        DeidRecipe recipe;
        try
        {
            recipe = DeidRecipe.Load(name);
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mira deid-recipe: {e.Message}");
            return 2;
        }
        var output = Console.Out;
        if (tsv)
        {
            output.Write(RecipeActions.ToTsv(recipe));
            return 0;
        }
        output.WriteLine($"recipe {recipe.Name} v{recipe.Version} (sha256 {recipe.Hash})");
        if (recipe.Description.Length > 0) output.WriteLine(recipe.Description);
        output.WriteLine($"profile: {recipe.Profile}; options: {(recipe.Options.Count == 0 ? "none" : string.Join(", ", recipe.Options))}");
        output.WriteLine($"private attributes: removed{(recipe.SafePrivate.Count > 0 ? $", except {recipe.SafePrivate.Count} safe-private element(s)" : "")}; " +
            $"burned-in text quarantined for {string.Join(", ", recipe.BurnedInModalities)} and BurnedInAnnotation YES; {recipe.PixelCleaning.Count} pixel-cleaning rule(s)");
        output.WriteLine();
        foreach (var a in RecipeActions.List(recipe))
            output.WriteLine($"{a.Tag}  {a.Action,-3}  {(a.Keyword.Length > 0 ? a.Keyword : a.Name),-44}  {a.Effect}");
        return 0;
    }
}
