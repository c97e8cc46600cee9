using Mira.Cli.Commands.Archive;

namespace Mira.Cli.Tests;

public class ManagedCommandsTests
{
    [Fact]
    public void The_native_build_hands_over_exactly_the_archive_commands_the_managed_build_has()
    {
        Assert.Equal(ArchiveCommands.Create().Select(c => c.Name).Order(), ManagedCommands.Archive.Select(c => c.Name).Order());
        var root = Program.CreateRoot();
        foreach (var (name, _) in ManagedCommands.Archive) Assert.Contains(root.Subcommands, c => c.Name == name);
    }

    [Theory]
    [InlineData(new[] { "serve", "--demo" }, true)]
    [InlineData(new[] { "ae", "list" }, true)]
    [InlineData(new[] { "deid", "--recipe", "basic" }, false)]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--help" }, false)]
    public void Only_archive_command_names_in_first_place_are_handed_over(string[] args, bool handed) =>
        Assert.Equal(handed, ManagedCommands.Handles(args));
}
