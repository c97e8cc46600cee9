using System.Reflection;

namespace Mira.Annotations.Protocols;

/// <summary>
/// The ten protocols Mira ships with (<c>../shared/protocols/</c>, embedded verbatim) and the workflow Mira gives each:
/// segmentation protocols compare reads by Dice on the regions they are evaluated on; grading protocols by the
/// (weighted) kappa of their primary grade.
/// </summary>
public static class BuiltInProtocols
{
    public static IReadOnlyList<string> Ids { get; } =
    [
        "brain-mri-adult-ageing", "brain-mri-developing", "cervical-cytology-tbs", "fundus-dr-multidisease", "glioma-brats",
        "meningioma-brats-men", "oesophageal-pathology-wsi", "petct-tumour-metabolism", "prostate-mri-pirads", "thyroid-us-tirads",
    ];

    /// <summary>
    /// Agreement per built-in protocol. Thresholds sit below the published inter-reader figures each protocol cites (e.g.
    /// BraTS raters 0.74–0.85 Dice), so arbitration catches reads that disagree more than experts usually do.
    /// </summary>
    static readonly Dictionary<string, ProtocolWorkflow> Workflows = new(StringComparer.Ordinal)
    {
        ["brain-mri-adult-ageing"] = new(AgreementStatistic.Dice, ["GM", "WM_total", "CSF_total"], 0.75, AllowStaple: true),
        ["brain-mri-developing"] = new(AgreementStatistic.Dice, ["CSF", "cGM", "WM"], 0.75, AllowStaple: true),
        ["cervical-cytology-tbs"] = new(AgreementStatistic.Kappa, ["tbsInterpretation"], 0),
        ["fundus-dr-multidisease"] = new(AgreementStatistic.WeightedKappa, ["icdrDr"], 0),
        ["glioma-brats"] = new(AgreementStatistic.Dice, ["ET", "TC", "WT"], 0.75, AllowStaple: true),
        ["meningioma-brats-men"] = new(AgreementStatistic.Dice, ["ET", "TC", "WT"], 0.75, AllowStaple: true),
        ["oesophageal-pathology-wsi"] = new(AgreementStatistic.Dice, ["TUMOUR", "HGIN"], 0.7),
        ["petct-tumour-metabolism"] = new(AgreementStatistic.Dice, ["LESION"], 0.7, AllowStaple: true),
        ["prostate-mri-pirads"] = new(AgreementStatistic.WeightedKappa, ["piradsOverall"], 1),
        ["thyroid-us-tirads"] = new(AgreementStatistic.WeightedKappa, ["tiradsLevel"], 1),
    };

    internal static ProtocolWorkflow? WorkflowOf(string id) => Workflows.GetValueOrDefault(id);

    static readonly Lazy<IReadOnlyList<Protocol>> All = new(() => Ids.Select(id => ProtocolReader.Read(ReadResource(id + ".json"))).ToArray());

    /// <summary>The ten, parsed and validated (once).</summary>
    public static IReadOnlyList<Protocol> Protocols => All.Value;

    public static Protocol? Find(string id) => Protocols.FirstOrDefault(p => p.Id == id);

    /// <summary>The JSON Schema every protocol is validated against.</summary>
    public static string SchemaJson => ReadResource("protocol.schema.json");

    internal static string ReadResource(string file)
    {
        using var s = typeof(BuiltInProtocols).Assembly.GetManifestResourceStream("Mira.Annotations.Protocols." + file)
            ?? throw new InvalidOperationException($"the built-in protocol file {file} is missing from {typeof(BuiltInProtocols).Assembly.GetName().Name}");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
