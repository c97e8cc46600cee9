using Mira.Deid;
using Mira.Platform.Research;

namespace Mira.Platform.Tests.Security;

/// <summary>Issue 14 item 2: a project's recipe cannot pose as a built-in one, nor keep direct identifiers without an override.</summary>
public sealed class ProjectRecipePolicyTests
{
    static DeidRecipe Keeping(string name, params string[] tags) => DeidRecipe.FromJson(
        $$"""{"name":"{{name}}","version":"1","overrides":[{{string.Join(",", tags.Select(t => $$"""{"tag":"{{t}}","action":"K"}"""))}}]}""");

    [Fact]
    public void The_built_in_recipes_keep_no_direct_identifier_and_pass()
    {
        Assert.Empty(DirectIdentifiers.KeptBy(DeidRecipe.Basic));
        Assert.Empty(DirectIdentifiers.KeptBy(DeidRecipe.Research));
        Assert.Null(ProjectRecipePolicy.Check(DeidRecipe.Research, builtIn: true, overrideReason: null).OverrideReason);
        Assert.Empty(ProjectRecipePolicy.Check(Keeping("ct-study", "(0008,103E)"), builtIn: false, overrideReason: null).KeptDirectIdentifiers);
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("Research")]
    [InlineData(" BASIC ")]
    public void A_recipe_object_may_not_take_a_built_in_name(string name)
    {
        var e = Assert.Throws<ProjectRecipeRefusedException>(() => ProjectRecipePolicy.Check(Keeping(name), builtIn: false, overrideReason: null));
        Assert.Equal("recipe", e.Field);
        Assert.Contains("built-in", e.Message);
    }

    [Fact]
    public void Keeping_names_or_ids_is_refused_without_an_override_and_recorded_with_one()
    {
        var recipe = Keeping("linkage", "(0010,0010)", "(0010,0020)", "(0010,1040)");
        Assert.Equal(["PatientName", "PatientID", "PatientAddress"], DirectIdentifiers.KeptBy(recipe));
        var refused = Assert.Throws<ProjectRecipeRefusedException>(() => ProjectRecipePolicy.Check(recipe, builtIn: false, overrideReason: null));
        Assert.Contains("PatientName, PatientID, PatientAddress", refused.Message);
        Assert.Equal("keepDirectIdentifiers",
            Assert.Throws<ProjectRecipeRefusedException>(() => ProjectRecipePolicy.Check(recipe, builtIn: false, overrideReason: "  because ")).Field);
        var accepted = ProjectRecipePolicy.Check(recipe, builtIn: false, overrideReason: " registry linkage, ethics approval 17 ");
        Assert.Equal("registry linkage, ethics approval 17", accepted.OverrideReason);
        Assert.Equal(3, accepted.KeptDirectIdentifiers.Count);
    }

    [Fact]
    public void Replacing_an_identifier_with_a_fixed_value_is_not_keeping_it()
    {
        var recipe = DeidRecipe.FromJson("""{"name":"fixed","version":"1","overrides":[{"tag":"(0010,0010)","action":"D","value":"ANON"}]}""");
        Assert.Empty(DirectIdentifiers.KeptBy(recipe));
    }
}
