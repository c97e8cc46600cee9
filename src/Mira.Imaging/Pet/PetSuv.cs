using System.Globalization;
using Mira.Dicom.Values;

namespace Mira.Imaging.Pet;

/// <summary>How the scan reference time was chosen for a series (QIBA FDG-PET/CT profile, vendor-neutral SUV pseudo-code).</summary>
public enum PetScanTimeSource
{
    /// <summary>Series Date/Time: not after the earliest Acquisition Date/Time of the series (the usual case).</summary>
    SeriesDateTime,
    /// <summary>The GE private post-injection scan date and time (0009,xx0D "GEMS_PETD_01"): Series Time was after acquisition.</summary>
    GePrivateScanDateTime,
    /// <summary>The earliest Acquisition Date/Time of the series: Series Time was after acquisition (e.g. a Siemens series re-made later).</summary>
    EarliestAcquisition,
    /// <summary>Acquisition Date/Time − Frame Reference Time + the frame's average count-rate time (QIBA's Siemens back-computation).</summary>
    FrameReferenceBackComputed,
    /// <summary>No scan time needed: Units CNTS with a Philips SUV Scale Factor, or GML.</summary>
    NotNeeded,
}

/// <summary>What to do when Series Date/Time is after the earliest Acquisition Date/Time and no GE private scan time exists.</summary>
public enum PetSeriesAfterAcquisitionRule
{
    /// <summary>Use the earliest Acquisition Date/Time of the instances given (QIBA's first option; wrong for Siemens PETsyngo 3.x multi-injection).</summary>
    EarliestAcquisition,
    /// <summary>
    /// Back-compute per instance from Acquisition Date/Time, Frame Reference Time and Actual Frame Duration (QIBA's second
    /// option); instances without both times &gt; 0 fall back to the earliest acquisition.
    /// </summary>
    FrameReferenceTime,
}

/// <summary>Scale factors for one instance: multiply the modality value (stored value × Rescale Slope + Intercept) by them.</summary>
/// <param name="SuvBw">SUVbw (g/ml) per unit of modality value.</param>
/// <param name="SuvLbm">SUL, lean body mass by Janmahasatian et al. 2005 (g/ml); null without Patient's Size and Sex M/F.</param>
/// <param name="SuvBsa">SUVbsa, body surface area by Du Bois (cm²/ml); null without Patient's Size.</param>
/// <param name="DecayTimeS">Seconds from injection to the scan reference time (0 for ADMIN); null when not used.</param>
public sealed record PetSuvFactors(double SuvBw, double? SuvLbm, double? SuvBsa, PetScanTimeSource ScanTimeSource,
    DateTime? ScanDateTime, DateTime? InjectionDateTime, double? DecayTimeS);

/// <summary>The factors of every instance of a series in input order, or the reason none can be given.</summary>
public sealed record PetSuvResult(IReadOnlyList<PetSuvFactors>? Factors, string? Refusal)
{
    public bool Ok => Factors is not null;
}

/// <summary>
/// SUVbw scale factors for PET images following QIBA's vendor-neutral pseudo-code (FDG-PET/CT profile; QIBA wiki
/// "Standardized Uptake Value (SUV)"), with PS3.3 §C.8.9.1 (PET Series: Units, Decay Correction, Corrected Image,
/// Series/Acquisition times) and §C.8.9.2 (PET Isotope: Radiopharmaceutical Information Sequence). The rules:
/// <list type="bullet">
/// <item>Corrected Image must contain ATTN and DECY; Decay Correction START decays the dose from the injection to the scan
/// reference time; ADMIN (images corrected to the administration time) uses the dose as given (beyond the QIBA code,
/// which only accepts START); NONE is refused (the dose would have to be decayed per frame).</item>
/// <item>Units BQML: SUVbw factor = weight [g] / (dose [Bq] × 2^(−decay time / half-life)).
/// CNTS: the Philips SUV Scale Factor (7053,xx00), else the Philips Activity Concentration Scale Factor (7053,xx09) times
/// the BQML factor; GML: 1 (taken to be SUVbw already). Any other unit is refused.</item>
/// <item>Scan reference time: Series Date/Time when not after the earliest Acquisition Date/Time of the series; else the
/// GE private scan date/time; else <see cref="PetSeriesAfterAcquisitionRule"/>.</item>
/// <item>Injection time: Radiopharmaceutical Start DateTime when present; else Radiopharmaceutical Start Time on the scan's
/// date, a day earlier when that would put the injection after the scan (a study crossing midnight).</item>
/// </list>
/// Every instance must share the series-level values (units, corrections, patient, dose, times), and the factors are per
/// instance: they differ only under the Frame Reference Time rule.
/// </summary>
public static class PetSuv
{
    /// <summary>Computes the factors for the instances of one series (in any order), or says why it cannot.</summary>
    public static PetSuvResult Compute(IReadOnlyList<PetSuvInputs> series,
        PetSeriesAfterAcquisitionRule rule = PetSeriesAfterAcquisitionRule.EarliestAcquisition)
    {
        if (series.Count == 0) return Refuse("no instances");
        try { return new PetSuvResult(ComputeCore(series, rule), null); }
        catch (SuvRefusal r) { return Refuse(r.Message); }
    }

    static PetSuvResult Refuse(string reason) => new(null, reason);

    sealed class SuvRefusal(string message) : Exception(message);

    static IReadOnlyList<PetSuvFactors> ComputeCore(IReadOnlyList<PetSuvInputs> series, PetSeriesAfterAcquisitionRule rule)
    {
        var first = series[0];
        CheckOneSeries(series);

        if (!first.CorrectedImage.Contains("ATTN", StringComparer.OrdinalIgnoreCase))
            throw new SuvRefusal($"Corrected Image (0028,0051) [{string.Join('\\', first.CorrectedImage)}] lacks ATTN: not attenuation corrected");
        if (!first.CorrectedImage.Contains("DECY", StringComparer.OrdinalIgnoreCase))
            throw new SuvRefusal($"Corrected Image (0028,0051) [{string.Join('\\', first.CorrectedImage)}] lacks DECY: not decay corrected");
        var decay = first.DecayCorrection?.ToUpperInvariant() switch
        {
            null => throw new SuvRefusal("Decay Correction (0054,1102) is missing"),
            "START" => true,
            "ADMIN" => false,
            "NONE" => throw new SuvRefusal("Decay Correction (0054,1102) is NONE: images not decay corrected (SUV would need the dose decayed per frame; not supported)"),
            var d => throw new SuvRefusal($"Decay Correction (0054,1102) '{d}' is not START, ADMIN or NONE"),
        };

        var units = first.Units?.ToUpperInvariant();
        double[] bw;
        PetScanTimeSource[] sources;
        DateTime?[] scans;
        DateTime? injection = null;
        double?[] decayTimes;
        switch (units)
        {
            case null:
                throw new SuvRefusal("Units (0054,1001) is missing");
            case "BQML":
                (bw, sources, scans, injection, decayTimes) = BqmlFactors(series, decay, rule);
                break;
            case "CNTS":
                if (series.All(i => i.PhilipsSuvScaleFactor is > 0))
                {
                    bw = series.Select(i => i.PhilipsSuvScaleFactor!.Value).ToArray();
                    sources = Fill(series.Count, PetScanTimeSource.NotNeeded);
                    scans = new DateTime?[series.Count];
                    decayTimes = new double?[series.Count];
                }
                else if (series.All(i => i.PhilipsActivityConcentrationScaleFactor is > 0))
                {
                    // CNTS × Rescale Slope × (7053,xx09) is Bq/ml: go on as for BQML.
                    (bw, sources, scans, injection, decayTimes) = BqmlFactors(series, decay, rule);
                    for (var i = 0; i < bw.Length; i++) bw[i] *= series[i].PhilipsActivityConcentrationScaleFactor!.Value;
                }
                else throw new SuvRefusal("Units (0054,1001) are CNTS but there is no Philips SUV Scale Factor (7053,xx00) nor Activity Concentration Scale Factor (7053,xx09) > 0 (\"Philips PET Private Group\") in every instance");
                break;
            case "GML":
                bw = Fill(series.Count, 1.0);
                sources = Fill(series.Count, PetScanTimeSource.NotNeeded);
                scans = new DateTime?[series.Count];
                decayTimes = new double?[series.Count];
                break;
            default:
                throw new SuvRefusal($"Units (0054,1001) '{first.Units}' are not BQML, CNTS (with Philips scale factors) or GML");
        }

        var (lbmPerKg, bsaCm2PerG) = BodyRatios(first);
        var result = new PetSuvFactors[series.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (!double.IsFinite(bw[i]) || bw[i] <= 0) throw new SuvRefusal($"{series[i].Source}: the SUVbw factor came out as {bw[i].ToString(CultureInfo.InvariantCulture)}");
            result[i] = new PetSuvFactors(bw[i], bw[i] * lbmPerKg, bw[i] * bsaCm2PerG, sources[i], scans[i], injection, decayTimes[i]);
        }
        return result;
    }

    static T[] Fill<T>(int n, T v)
    {
        var a = new T[n];
        Array.Fill(a, v);
        return a;
    }

    static void CheckOneSeries(IReadOnlyList<PetSuvInputs> series)
    {
        var f = series[0];
        foreach (var i in series.Skip(1))
        {
            string? differs =
                !Equals(i.SeriesInstanceUid, f.SeriesInstanceUid) ? "Series Instance UID" :
                !string.Equals(i.Units, f.Units, StringComparison.OrdinalIgnoreCase) ? "Units" :
                !string.Equals(i.DecayCorrection, f.DecayCorrection, StringComparison.OrdinalIgnoreCase) ? "Decay Correction" :
                !i.CorrectedImage.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(f.CorrectedImage.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase) ? "Corrected Image" :
                i.PatientWeightKg != f.PatientWeightKg ? "Patient's Weight" :
                i.PatientSizeM != f.PatientSizeM ? "Patient's Size" :
                !Equals(i.PatientSex, f.PatientSex) ? "Patient's Sex" :
                i.RadionuclideTotalDoseBq != f.RadionuclideTotalDoseBq ? "Radionuclide Total Dose" :
                i.RadionuclideHalfLifeS != f.RadionuclideHalfLifeS ? "Radionuclide Half Life" :
                !Equals(i.RadiopharmaceuticalStartTime, f.RadiopharmaceuticalStartTime) ? "Radiopharmaceutical Start Time" :
                !Equals(i.RadiopharmaceuticalStartDateTime, f.RadiopharmaceuticalStartDateTime) ? "Radiopharmaceutical Start DateTime" :
                !Equals(i.SeriesDate, f.SeriesDate) ? "Series Date" :
                !Equals(i.SeriesTime, f.SeriesTime) ? "Series Time" :
                null;
            if (differs is not null)
                throw new SuvRefusal($"the instances are not one series: {differs} of {i.Source} differs from {f.Source}");
        }
    }

    static (double[] Factors, PetScanTimeSource[] Sources, DateTime?[] Scans, DateTime Injection, double?[] DecayTimes) BqmlFactors(
        IReadOnlyList<PetSuvInputs> series, bool decay, PetSeriesAfterAcquisitionRule rule)
    {
        var f = series[0];
        var weight = f.PatientWeightKg switch
        {
            null => throw new SuvRefusal("Patient's Weight (0010,1030) is missing"),
            <= 0 or double.NaN => throw new SuvRefusal($"Patient's Weight (0010,1030) is {Num(f.PatientWeightKg.Value)}: not > 0"),
            var w => w.Value,
        };
        var dose = f.RadionuclideTotalDoseBq switch
        {
            null => throw new SuvRefusal("Radionuclide Total Dose (0018,1074) is missing (Radiopharmaceutical Information Sequence)"),
            <= 0 or double.NaN => throw new SuvRefusal($"Radionuclide Total Dose (0018,1074) is {Num(f.RadionuclideTotalDoseBq.Value)}: not > 0"),
            var d => d.Value,
        };
        var halfLife = f.RadionuclideHalfLifeS switch
        {
            null => throw new SuvRefusal("Radionuclide Half Life (0018,1075) is missing (Radiopharmaceutical Information Sequence)"),
            <= 0 or double.NaN => throw new SuvRefusal($"Radionuclide Half Life (0018,1075) is {Num(f.RadionuclideHalfLifeS.Value)}: not > 0"),
            var h => h.Value,
        };
        if (weight > 1000) throw new SuvRefusal($"Patient's Weight (0010,1030) is {Num(weight)}: not a weight in kg");

        var (scans, sources) = ScanTimes(series, halfLife, rule);
        var injection = InjectionTime(f, scans.Min());
        var factors = new double[series.Count];
        var decayTimes = new double?[series.Count];
        for (var i = 0; i < factors.Length; i++)
        {
            var dt = (scans[i] - injection).Ticks / (double)TimeSpan.TicksPerSecond;
            if (dt < 0)
                throw new SuvRefusal($"the injection ({injection:yyyy-MM-dd HH:mm:ss.ffffff}) is after the scan time ({scans[i]:yyyy-MM-dd HH:mm:ss.ffffff}, from {Describe(sources[i])})");
            decayTimes[i] = decay ? dt : 0;
            var decayedDose = decay ? dose * Math.Pow(2, -dt / halfLife) : dose;
            factors[i] = weight * 1000 / decayedDose;
        }
        return (factors, sources, scans.Select(s => (DateTime?)s).ToArray(), injection, decayTimes);
    }

    static string Describe(PetScanTimeSource s) => s switch
    {
        PetScanTimeSource.SeriesDateTime => "Series Date/Time",
        PetScanTimeSource.GePrivateScanDateTime => "the GE private scan date/time",
        PetScanTimeSource.EarliestAcquisition => "the earliest Acquisition Date/Time",
        PetScanTimeSource.FrameReferenceBackComputed => "Acquisition Time and Frame Reference Time",
        _ => s.ToString(),
    };

    static (DateTime[] Scans, PetScanTimeSource[] Sources) ScanTimes(IReadOnlyList<PetSuvInputs> series, double halfLife, PetSeriesAfterAcquisitionRule rule)
    {
        var f = series[0];
        if (f.SeriesDate is null) throw new SuvRefusal("Series Date (0008,0021) is missing");
        if (f.SeriesTime is null) throw new SuvRefusal("Series Time (0008,0031) is missing");
        var seriesDt = Combine(f.SeriesDate, f.SeriesTime, "Series");

        var acquisitions = new DateTime?[series.Count];
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.AcquisitionTime is null) continue;
            // Acquisition Date is Type 3; without it, take the Series Date (wrong only across midnight, which then reads as
            // "series after acquisition" and falls to the rules below).
            acquisitions[i] = Combine(s.AcquisitionDate ?? f.SeriesDate, s.AcquisitionTime, "Acquisition");
        }
        if (acquisitions.All(a => a is null))
            throw new SuvRefusal("Acquisition Time (0008,0032) is missing: cannot check that Series Date/Time is not after the acquisition");
        var earliest = acquisitions.Where(a => a is not null).Min()!.Value;

        if (seriesDt <= earliest) return (Fill(series.Count, seriesDt), Fill(series.Count, PetScanTimeSource.SeriesDateTime));

        if (f.GePostInjectionDateTime is { } ge)
        {
            if (!DicomDateTime.TryParse(ge, out var g) || g.Precision < DicomPrecision.Second)
                throw new SuvRefusal($"Series Date/Time is after the acquisition and the GE private scan date/time (0009,xx0D) '{ge}' is not a full DT");
            return (Fill(series.Count, g.ToDateTime()), Fill(series.Count, PetScanTimeSource.GePrivateScanDateTime));
        }

        var scans = Fill(series.Count, earliest);
        var sources = Fill(series.Count, PetScanTimeSource.EarliestAcquisition);
        if (rule == PetSeriesAfterAcquisitionRule.FrameReferenceTime)
        {
            var lambda = Math.Log(2) / halfLife;
            for (var i = 0; i < series.Count; i++)
            {
                var s = series[i];
                if (acquisitions[i] is not { } acq || s.FrameReferenceTimeMs is not > 0 || s.ActualFrameDurationMs is not > 0) continue;
                // Mean-life-weighted time of the average count rate within the frame, from its start.
                var decayDuringFrame = lambda * s.ActualFrameDurationMs.Value / 1000;
                var averageCountRateTime = Math.Log(decayDuringFrame / (1 - Math.Exp(-decayDuringFrame))) / lambda;
                var seconds = -s.FrameReferenceTimeMs.Value / 1000 + averageCountRateTime;
                scans[i] = acq.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
                sources[i] = PetScanTimeSource.FrameReferenceBackComputed;
            }
        }
        return (scans, sources);
    }

    static DateTime InjectionTime(PetSuvInputs f, DateTime scan)
    {
        if (f.RadiopharmaceuticalStartDateTime is { } sdt)
        {
            if (DicomDateTime.TryParse(sdt, out var v) && v.Precision >= DicomPrecision.Minute) return v.ToDateTime();
            if (f.RadiopharmaceuticalStartTime is null)
                throw new SuvRefusal($"Radiopharmaceutical Start DateTime (0018,1078) '{sdt}' is not a DT to the minute, and there is no Radiopharmaceutical Start Time");
        }
        if (f.RadiopharmaceuticalStartTime is not { } st)
            throw new SuvRefusal("Radiopharmaceutical Start Time (0018,1072) and Start DateTime (0018,1078) are missing (Radiopharmaceutical Information Sequence)");
        if (!DicomTime.TryParse(st, out var t) || t.Precision < DicomPrecision.Minute)
            throw new SuvRefusal($"Radiopharmaceutical Start Time (0018,1072) '{st}' is not a TM to the minute");
        // No date: the scan's date, or the day before when the injection would otherwise come after the scan.
        var injection = scan.Date + t.ToTimeOnly().ToTimeSpan();
        return injection > scan ? injection.AddDays(-1) : injection;
    }

    static DateTime Combine(string date, string time, string what)
    {
        if (!DicomDate.TryParse(date, out var d)) throw new SuvRefusal($"{what} Date '{date}' is not a DA");
        if (!DicomTime.TryParse(time, out var t) || t.Precision < DicomPrecision.Minute) throw new SuvRefusal($"{what} Time '{time}' is not a TM to the minute");
        return d.ToDateOnly().ToDateTime(t.ToTimeOnly());
    }

    /// <summary>LBM/weight (Janmahasatian) and BSA in cm² per gram of weight (Du Bois); null when height or sex are missing.</summary>
    static (double? LbmPerKg, double? BsaCm2PerG) BodyRatios(PetSuvInputs f)
    {
        if (f.PatientWeightKg is not > 0 || f.PatientSizeM is not (> 0 and < 3)) return (null, null);
        var w = f.PatientWeightKg.Value;
        var h = f.PatientSizeM.Value;
        var bmi = w / (h * h);
        double? lbm = f.PatientSex?.ToUpperInvariant() switch
        {
            "M" => 9270 * w / (6680 + 216 * bmi),
            "F" => 9270 * w / (8780 + 244 * bmi),
            _ => null,
        };
        var bsaM2 = 0.007184 * Math.Pow(w, 0.425) * Math.Pow(h * 100, 0.725);
        return (lbm / w, bsaM2 * 1e4 / (w * 1000));
    }

    static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
