namespace Mira.Cli.Tests;

/// <summary><c>mira serve</c>'s HTTP security options: a malformed value is a clear error naming the option, before anything starts.</summary>
public sealed class ServeSecurityOptionsTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    [Theory]
    [InlineData("--trusted-proxy", "proxy.example", "trusted proxy 'proxy.example'")]
    [InlineData("--trusted-proxy", "10.0.0.0/99", "trusted proxy '10.0.0.0/99'")]
    [InlineData("--allowed-origin", "https://viewer.example.org/app", "--allowed-origin https://viewer.example.org/app")]
    [InlineData("--public-url", "pacs.example.org", "--public-url pacs.example.org")]
    [InlineData("--signin-backoff", "0", "--signin-backoff")]
    [InlineData("--hsts-days", "-1", "--hsts-days")]
    [InlineData("--executor", "kubernetes", "the executor 'kubernetes' is not one of: local, slurm")]
    [InlineData("--slurm-partition", "gpu", "--slurm-partition is for --executor slurm")]
    [InlineData("--log-format", "xml", "--log-format xml: plain or json")]
    [InlineData("--node-name", "node one", "--node-name 'node one'")]
    [InlineData("--evaluation-signing-key", "/no/such/folder/key.pem", "--evaluation-signing-key /no/such/folder/key.pem: no such file")]
    public void A_malformed_value_exits_2_naming_the_option_and_creates_nothing(string option, string value, string message)
    {
        var r = cli.Mira("serve", "--dimse-port", "0", "--urls", "http://127.0.0.1:0", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.False(File.Exists(Path.Combine(cli.Data, "index.db")));
    }

    [Fact]
    public void A_signing_key_file_that_is_not_an_EC_key_exits_2_naming_it()
    {
        var key = Path.Combine(cli.Data + "-key.pem");
        File.WriteAllText(key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        try
        {
            var r = cli.Mira("serve", "--dimse-port", "0", "--urls", "http://127.0.0.1:0", "--evaluation-signing-key", key);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"--evaluation-signing-key {key}: not a readable EC private key in PEM", r.Stderr);
            Assert.False(File.Exists(Path.Combine(cli.Data, "index.db")));
        }
        finally
        {
            File.Delete(key);
        }
    }
}
