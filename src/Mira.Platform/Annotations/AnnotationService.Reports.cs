using Mira.Annotations.Protocols;
using Mira.Metrics.Agreement;
using Mira.Metrics.Classification;
using Mira.Storage.Annotations;

namespace Mira.Platform.Annotations;

/// <summary>Two readers' agreement over the cases both read: Cohen's kappa (quadratic-weighted for ordinal grades).</summary>
public sealed record PairAgreement(string A, string B, int Cases, double Kappa, string Weights);

/// <summary>A reader's (or a site's) mean pairwise agreement: Dice over the cases they read with others, or the kappas of their reader pairs.</summary>
public sealed record MeanAgreement(string Name, int Pairs, double Value);

/// <summary>The agreement of a project's readers under one protocol version.</summary>
public sealed record ProtocolAgreement(string Protocol, int Version, string Statistic, string? Field, int Cases, IReadOnlyList<PairAgreement> Pairs,
    IReadOnlyList<MeanAgreement> Annotators, IReadOnlyList<MeanAgreement> Sites);

/// <summary>An annotator's score on one gold case: the metric and its value against the known answer.</summary>
public sealed record GoldScore(long Task, int Version, string Metric, double Score);

public sealed record GoldReport(string User, IReadOnlyList<GoldScore> Cases, double? Mean);

public sealed partial class AnnotationService
{
    /// <summary>
    /// Per protocol of the project, over every task whose reads are all in (any state after open), with each task's
    /// current round of reads: for grades (kappa, weighted kappa) Cohen's kappa per pair of readers over the cases both
    /// read, classes the field's whole scale in the protocol's order (quadratic weights for weighted kappa, as
    /// <c>sklearn.metrics.cohen_kappa_score(weights="quadratic", labels=scale)</c>); for masks each reader's mean pairwise
    /// Dice (mean over the workflow's targets); for both, each reader's mean and each site's (the institution of the
    /// annotator's record).
    /// Stewards and admins.
    /// </summary>
    public async Task<IReadOnlyList<ProtocolAgreement>> ProjectAgreementAsync(AnnotationActor actor, string project, CancellationToken ct = default)
    {
        await ProjectAsync(project, ct);
        if (!actor.IsSteward) throw AnnotationRefusedException.Forbidden($"the agreement of project {project} is for stewards and admins");
        var result = new List<ProtocolAgreement>();
        var tasks = (await store.ListTasksAsync(project, null, ct)).Where(t => t.State != TaskStates.Open);
        foreach (var group in tasks.GroupBy(t => (t.Protocol, t.ProtocolVersion)))
        {
            var protocol = (await Protocols.GetAsync(group.Key.Protocol, group.Key.ProtocolVersion, ct))!.Protocol;
            var w = protocol.Workflow;
            var perTask = new List<IReadOnlyList<(string Author, AnnotationContent Content)>>();
            foreach (var t in group)
            {
                var c = await TaskContextAsync(t.Id, ct);
                var reads = new List<(string, AnnotationContent)>();
                foreach (var r in CurrentReads(t, await store.VersionsAsync(t.Id, ct))) reads.Add((r.Author, await ContentAsync(c, r, ct)));
                perTask.Add(reads);
            }
            if (w.Statistic is AgreementStatistic.Kappa or AgreementStatistic.WeightedKappa && w.AppliesTo.Count > 0 && protocol.FieldByName(w.AppliesTo[0]) is { } field)
            {
                var pairs = KappaPairs(field, w.Statistic == AgreementStatistic.WeightedKappa, perTask);
                var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
                foreach (var p in pairs.Where(p => double.IsFinite(p.Kappa)))
                    foreach (var who in new[] { p.A, p.B })
                        (values.TryGetValue(who, out var list) ? list : values[who] = []).Add(p.Kappa);
                var (annotators, sites) = await MeansAsync(values, ct);
                result.Add(new ProtocolAgreement(protocol.Id, group.Key.ProtocolVersion, w.Statistic, field.Name, perTask.Count, pairs, annotators, sites));
            }
            else if (w.Statistic is AgreementStatistic.Dice or AgreementStatistic.SurfaceDice)
            {
                var (annotators, sites) = await DiceMeansAsync(protocol, perTask, ct);
                result.Add(new ProtocolAgreement(protocol.Id, group.Key.ProtocolVersion, AgreementStatistic.Dice, null, perTask.Count, [], annotators, sites));
            }
        }
        return result;
    }

    static IReadOnlyList<PairAgreement> KappaPairs(ProtocolField field, bool weighted, List<IReadOnlyList<(string Author, AnnotationContent Content)>> perTask)
    {
        var scale = Enumerable.Range(0, field.Values.Count).ToArray();
        var readers = perTask.SelectMany(t => t.Select(r => r.Author)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var pairs = new List<PairAgreement>();
        for (var i = 0; i < readers.Length; i++)
            for (var j = i + 1; j < readers.Length; j++)
            {
                var a = new List<int>();
                var b = new List<int>();
                foreach (var t in perTask)
                {
                    var x = t.FirstOrDefault(r => r.Author == readers[i]).Content?.Form?[field.Name];
                    var y = t.FirstOrDefault(r => r.Author == readers[j]).Content?.Form?[field.Name];
                    if (x is null || y is null || field.IndexOf(x) < 0 || field.IndexOf(y) < 0) continue;
                    a.Add(field.IndexOf(x));
                    b.Add(field.IndexOf(y));
                }
                if (a.Count == 0) continue;
                var weights = weighted ? KappaWeights.Quadratic : KappaWeights.None;
                pairs.Add(new PairAgreement(readers[i], readers[j], a.Count, Kappa.Cohen(a, b, weights, scale), weights.ToString().ToLowerInvariant()));
            }
        return pairs;
    }

    async Task<(IReadOnlyList<MeanAgreement> Annotators, IReadOnlyList<MeanAgreement> Sites)> DiceMeansAsync(Protocol protocol,
        List<IReadOnlyList<(string Author, AnnotationContent Content)>> perTask, CancellationToken ct)
    {
        var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var t in perTask)
            for (var i = 0; i < t.Count; i++)
                for (var j = i + 1; j < t.Count; j++)
                {
                    var dice = protocol.Workflow.AppliesTo.Average(target => PairDice(protocol, target, t[i].Content, t[j].Content));
                    foreach (var who in new[] { t[i].Author, t[j].Author })
                    {
                        if (!values.TryGetValue(who, out var list)) values[who] = list = [];
                        list.Add(dice);
                    }
                }
        return await MeansAsync(values, ct);
    }

    /// <summary>Per reader the mean of their values; per site (the institution of the reader's record) the mean of its readers' values.</summary>
    async Task<(IReadOnlyList<MeanAgreement> Annotators, IReadOnlyList<MeanAgreement> Sites)> MeansAsync(Dictionary<string, List<double>> values, CancellationToken ct)
    {
        var profiles = (await ProfilesAsync(values.Keys.ToArray(), ct)).ToDictionary(p => p.User, StringComparer.Ordinal);
        var annotators = values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new MeanAgreement(kv.Key, kv.Value.Count, kv.Value.Average())).ToArray();
        var sites = values.GroupBy(kv => profiles.GetValueOrDefault(kv.Key)?.Institution ?? "(no institution)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MeanAgreement(g.Key, g.Sum(kv => kv.Value.Count), g.SelectMany(kv => kv.Value).Average())).ToArray();
        return (annotators, sites);
    }

    /// <summary>Dice of one target between two reads (<see cref="ReaderAgreement.DiceMatrix"/>: two empty regions agree).</summary>
    static double PairDice(Protocol protocol, string target, AnnotationContent a, AnnotationContent b) =>
        ReaderAgreement.DiceMatrix([TaskAgreement.RegionMask(protocol, target, a), TaskAgreement.RegionMask(protocol, target, b)])[0, 1];

    /// <summary>
    /// An annotator's scores on the project's gold cases (stewards and admins): per gold task their latest read against
    /// the gold version: masks, the mean over the workflow's targets of Dice; grades, 1 for the same answer and 0 else
    /// (kappa) or the quadratic agreement weight 1 − (d / (k − 1))² for answers d steps apart on a scale of k (weighted
    /// kappa); measurements 1 − the relative difference (at least 0). The mean is over the cases scored.
    /// </summary>
    public async Task<GoldReport> GoldScoresAsync(AnnotationActor actor, string project, string user, CancellationToken ct = default)
    {
        await ProjectAsync(project, ct);
        if (!actor.IsSteward) throw AnnotationRefusedException.Forbidden($"gold scores of project {project} are for stewards and admins");
        var cases = new List<GoldScore>();
        foreach (var t in (await store.ListTasksAsync(project, null, ct)).Where(t => t.Gold))
        {
            var versions = await store.VersionsAsync(t.Id, ct);
            var gold = versions.LastOrDefault(v => v.Role == VersionRoles.Gold);
            var read = versions.LastOrDefault(v => v.Role == VersionRoles.Annotator && v.Author == user);
            if (gold is null || read is null) continue;
            var c = await TaskContextAsync(t.Id, ct);
            var (g, r) = (await ContentAsync(c, gold, ct), await ContentAsync(c, read, ct));
            if (g.Polygons is not null || r.Polygons is not null)
            {
                var masks = PolygonMasks.Rasterize([g, r], (await ImagesAsync(c, ct)).Instances);
                (g, r) = (masks[0], masks[1]);
            }
            var (metric, score) = GoldScoreOf(c.Protocol.Protocol, g, r);
            cases.Add(new GoldScore(t.Id, read.Number, metric, score));
        }
        return new GoldReport(user, cases, cases.Count == 0 ? null : cases.Average(x => x.Score));
    }

    /// <summary>One read's score against a gold answer (see <see cref="GoldScoresAsync"/>).</summary>
    public static (string Metric, double Score) GoldScoreOf(Protocol protocol, AnnotationContent gold, AnnotationContent read)
    {
        var w = protocol.Workflow;
        if (gold.Masks is not null)
            return ("dice", w.AppliesTo.Average(target => PairDice(protocol, target, gold, read)));
        var field = w.AppliesTo.Count > 0 ? protocol.FieldByName(w.AppliesTo[0]) : null;
        if (field is null) throw AnnotationRefusedException.Invalid($"protocol {protocol.Id} names no field to score gold cases on");
        var (g, r) = (gold.Form?[field.Name], read.Form?[field.Name]);
        if (w.Statistic == AgreementStatistic.WeightedKappa && field.Values.Count > 1)
        {
            if (g is null || r is null || field.IndexOf(g) < 0 || field.IndexOf(r) < 0) return ("quadratic-agreement", 0);
            var d = (double)Math.Abs(field.IndexOf(g) - field.IndexOf(r)) / (field.Values.Count - 1);
            return ("quadratic-agreement", 1 - d * d);
        }
        if (w.Statistic == AgreementStatistic.Icc)
        {
            var rel = TaskAgreement.Compute(protocol, [gold, read]).Values.GetValueOrDefault(field.Name, double.PositiveInfinity);
            return ("1-relative-difference", Math.Max(0, 1 - rel));
        }
        return ("exact", g is not null && g == r ? 1 : 0);
    }
}
