using System.Diagnostics;
using System.Security.Cryptography;
using Mira.Conversion.Slides;
using Mira.Testing;

namespace Mira.Conversion.Tests.Slides;

/// <summary>Converting slides into a temporary folder, checking the objects with dciodvfy, and reading levels back.</summary>
internal static class SlideTestKit
{
    public static ConversionRequest Request(ConversionLimits? limits = null) =>
        new() { Subject = ConversionSubject.Placeholder("slide-tests"), Limits = limits ?? ConversionLimits.Default };

    public static string TempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mira-slide-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Converts and writes every object; returns the instances and their files, in order.</summary>
    public static List<(ConvertedInstance Instance, string File)> ConvertAll(string source, string folder, ConversionRequest? request = null)
    {
        var result = new List<(ConvertedInstance, string)>();
        foreach (var instance in new SlideConverter().Convert(source, request ?? Request()))
        {
            var file = Path.Combine(folder, $"{result.Count + 1}.dcm");
            using (var s = File.Create(file)) Part10Writer.Write(s, instance);
            result.Add((instance, file));
        }
        return result;
    }

    /// <summary>dciodvfy's lines that say Error.</summary>
    public static IReadOnlyList<string> DciodvfyErrors(string file)
    {
        var tool = ExternalTool.Require("dciodvfy", "dicom3tools");
        var (_, output) = ExternalTool.Exec(tool, [file]);
        return output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
    }

    /// <summary>The whole pixel matrix of a level (rows top to bottom), cropped from its decoded frames.</summary>
    public static byte[] Assemble(SlideLevelReader level)
    {
        var pixelBytes = level.Samples * level.BytesPerSample;
        var rowBytes = (int)level.TotalColumns * pixelBytes;
        var matrix = new byte[rowBytes * level.TotalRows];
        for (var f = 0; f < level.FrameCount; f++)
        {
            var frame = level.DecodeFrame(f);
            var x0 = f % level.TilesAcross * level.FrameColumns;
            var y0 = f / level.TilesAcross * level.FrameRows;
            var copy = (int)Math.Min(level.FrameColumns, level.TotalColumns - x0) * pixelBytes;
            for (var r = 0; r < level.FrameRows && y0 + r < level.TotalRows; r++)
                frame.AsSpan(r * level.FrameColumns * pixelBytes, copy).CopyTo(matrix.AsSpan((y0 + r) * rowBytes + x0 * pixelBytes));
        }
        return matrix;
    }

    /// <summary>Applies TIFF orientation 6 (row 0 is the right side, column 0 the top) to a stored matrix: the image as seen.</summary>
    public static byte[] ApplyOrientation6(byte[] stored, int width, int height, int pixelBytes)
    {
        var seen = new byte[stored.Length];
        // Seen width is the stored height: stored (r, c) is seen at x = height - 1 - r, y = c.
        for (var r = 0; r < height; r++)
            for (var c = 0; c < width; c++)
                stored.AsSpan((r * width + c) * pixelBytes, pixelBytes).CopyTo(seen.AsSpan((c * height + (height - 1 - r)) * pixelBytes));
        return seen;
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Runs python3 with a script; fails the test with its error output when it fails.</summary>
    public static void Python(string script)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "python3 failed: " + err);
    }
}
