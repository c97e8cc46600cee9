using System.Diagnostics;
using System.Text;

namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

/// <summary>A PNM image read back from opj_decompress: samples as they would sit in a little-endian DICOM frame.</summary>
public sealed record Pnm(int Width, int Height, int Components, int MaxValue, byte[] Samples)
{
    /// <summary>Bits per sample implied by the maximum value (opj_decompress writes 2^precision − 1).</summary>
    public int Precision => 32 - int.LeadingZeroCount(MaxValue);
}

/// <summary>The OpenJPEG command-line tools (Debian libopenjp2-tools) as an independent reader and writer.</summary>
public static class OpjTools
{
    /// <summary>Runs opj_decompress on a codestream; returns its PGM/PPM output with 16-bit samples swapped to little endian.</summary>
    public static Pnm Decompress(byte[] codestream, int components, string extension = ".j2k")
    {
        var dir = Directory.CreateTempSubdirectory("mira-opj-");
        try
        {
            var input = Path.Combine(dir.FullName, "in" + extension);
            var outputPath = Path.Combine(dir.FullName, components == 1 ? "out.pgm" : "out.ppm");
            File.WriteAllBytes(input, codestream);
            Run("opj_decompress", "-i", input, "-o", outputPath);
            return ReadPnm(File.ReadAllBytes(outputPath));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs opj_compress (lossless unless options say otherwise) on a PGM/PPM; returns a J2K codestream (.j2k) or JP2 file (.jp2).</summary>
    public static byte[] Compress(byte[] pnm, int components, string extension, params string[] options)
    {
        var dir = Directory.CreateTempSubdirectory("mira-opj-");
        try
        {
            var input = Path.Combine(dir.FullName, components == 1 ? "in.pgm" : "in.ppm");
            var outputPath = Path.Combine(dir.FullName, "out" + extension);
            File.WriteAllBytes(input, pnm);
            Run("opj_compress", ["-i", input, "-o", outputPath, .. options]);
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A binary PNM (P5 gray, P6 RGB) of little-endian samples; 16-bit samples are written big endian as PNM requires.</summary>
    public static byte[] WritePnm(byte[] samples, int width, int height, int components, int maxValue)
    {
        var header = Encoding.ASCII.GetBytes($"{(components == 1 ? "P5" : "P6")}\n{width} {height}\n{maxValue}\n");
        var body = (byte[])samples.Clone();
        if (maxValue > 255)
            for (var i = 0; i + 1 < body.Length; i += 2) (body[i], body[i + 1]) = (body[i + 1], body[i]);
        return [.. header, .. body];
    }

    public static Pnm ReadPnm(byte[] data)
    {
        var pos = 0;
        string Token()
        {
            while (true)
            {
                while (pos < data.Length && char.IsWhiteSpace((char)data[pos])) pos++;
                if (pos < data.Length && data[pos] == '#') { while (pos < data.Length && data[pos] != '\n') pos++; continue; }
                break;
            }
            var start = pos;
            while (pos < data.Length && !char.IsWhiteSpace((char)data[pos])) pos++;
            return Encoding.ASCII.GetString(data, start, pos - start);
        }
        var magic = Token();
        var components = magic switch { "P5" => 1, "P6" => 3, _ => throw new InvalidDataException("not a binary PGM/PPM: " + magic) };
        var width = int.Parse(Token());
        var height = int.Parse(Token());
        var max = int.Parse(Token());
        pos++; // the single whitespace after the maximum value
        var bytesPerSample = max > 255 ? 2 : 1;
        var samples = data.AsSpan(pos, width * height * components * bytesPerSample).ToArray();
        if (bytesPerSample == 2)
            for (var i = 0; i + 1 < samples.Length; i += 2) (samples[i], samples[i + 1]) = (samples[i + 1], samples[i]);
        return new Pnm(width, height, components, max, samples);
    }

    static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException(tool + " did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is missing: install the Debian package libopenjp2-tools ({e.Message})", e);
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000)) { p.Kill(); throw new TimeoutException(tool + " ran for more than 60 s"); }
            if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} exited with {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }
    }
}
