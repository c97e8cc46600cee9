using Mira.Storage.Annotations;
using Mira.Storage.Datasets;
using Mira.Storage.Deployments;
using Mira.Storage.Evaluations;
using Mira.Storage.Index;
using Mira.Storage.Jobs;
using Mira.Storage.Lineage;
using Mira.Storage.Models;
using Mira.Storage.Cluster;
using Mira.Storage.Network;
using Mira.Storage.Projects;
using Mira.Storage.Security;
using Mira.Storage.Sites;
using Mira.Storage.Workitems;

namespace Mira.Storage.Migrations;

/// <summary>
/// Every table Mira keeps, as versioned steps. Append new steps at the end of a set; never edit one that has shipped
/// (a database that applied it would not see the change). <c>docs/architecture.md</c> says where a feature's tables go.
/// </summary>
public static class MigrationCatalog
{
    internal const string IndexStepName = "index: patients, studies, series, instances";

    static Migration IndexStep => new(1, IndexStepName, p => IndexSchema.Migration(1, p));

    /// <summary>The intake database: the archive index and every platform table (accounts, audit, projects, jobs…).</summary>
    public static MigrationSet Intake { get; } = new("intake",
    [
        IndexStep,
        new(2, "security: users, roles, tokens, append-only audit log", SecuritySchema.Statements),
        new(3, "application entities (DIMSE peers)", _ => [ApplicationEntityStore.TableDdl]),
        new(4, "projects: members, AE and uploader rules, pseudonym vault", _ => ProjectStore.TableDdl),
        new(5, "project rule copy queue (replaced by jobs in 6)", _ => LegacyRuleCopies.TableDdl, LegacyRuleCopies.AddUploaderColumnAsync),
        new(6, "jobs: one durable table; queued rule copies move into it", JobStore.TableDdl, LegacyRuleCopies.MoveIntoJobsAsync),
        new(7, "de-identification runs and lineage", DeidRunStore.TableDdl),
        new(8, "accounts: a password change required at the next sign-in", SecuritySchema.MustChangePasswordStatements),
        new(9, "web sessions: the web workspace's cookie sign-ins", _ => WebSessionStore.TableDdl),
        new(10, "projects: an optional disease domain (one of the ten annotation protocols)", ProjectDomains.ColumnDdl),
        new(11, "annotation: protocol versions, project protocols, annotators, tasks, assignments, versions", AnnotationSchema.TableDdl),
        new(12, "datasets: releases, members, splits", DatasetSchema.TableDdl),
        new(13, "models and evaluations: the model registry, evaluation phases and runs", p => [.. ModelSchema.TableDdl(p), .. EvaluationSchema.TableDdl(p)]),
        new(14, "deployments: rules (a study arrives, a model runs, the result is sent), their results with the clinician's review; project models for pre-annotation", _ => DeploymentSchema.TableDdl),
        new(15, "UPS work items and subscriptions", WorkitemSchema.TableDdl),
        new(16, "cluster: the data-protection key ring and the sign-in failure counts every node shares",
            _ => [.. DataProtectionKeyStore.TableDdl, .. SignInFailureStore.TableDdl]),
        new(17, "sites and hub: registered sites, project sources, received provenance; a site's hub link and push state", SiteSchema.TableDdl),
        new(18, "index for QIDO-RS at scale: Person Name indexes for each component group (pattern indexes on PostgreSQL); instances by (series, id)", QidoSearchIndexes.Statements),
    ]);

    /// <summary>A research project's own index (a SQLite file, or a PostgreSQL schema): the archive index alone, with
    /// the same QIDO indexes as the intake's.</summary>
    public static MigrationSet ProjectIndex { get; } = new("project index",
        [IndexStep, new(2, "index for QIDO-RS at scale (as the intake's step 18)", QidoSearchIndexes.Statements)]);
}
