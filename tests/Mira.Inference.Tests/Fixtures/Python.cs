using System.Diagnostics;

namespace Mira.Inference.Tests.Fixtures;

/// <summary>Debian's /usr/bin/python3 (with python3-numpy, -onnx, -torch, -pydicom), the peer the reference models are checked against.</summary>
internal static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>Runs a script (text) with arguments; fails the test with its output when it exits non-zero.</summary>
    public static string Run(string script, params string[] args)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mira-inference-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script);
        try
        {
            var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-B");
            psi.ArgumentList.Add(file);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["OMP_NUM_THREADS"] = "2";
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail("python3 ran over 5 minutes"); }
            Assert.True(p.ExitCode == 0, $"python3 failed ({p.ExitCode}): {stdout}\n{stderr.Result}");
            return stdout;
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
