using System.Text;
using System.Text.Json;

namespace Mira.Server.Viewer;

/// <summary>
/// One DICOMweb data source of the viewer: its name in viewer URLs, what the user sees, its root path, and whether the
/// viewer stores into it (a project's: annotation objects through STOW-RS, docs/viewer.md "Annotating").
/// </summary>
public sealed record ViewerSource(string Name, string FriendlyName, string RootPath, bool Stores = false);

/// <summary>
/// The viewer's <c>app-config.js</c>, written per signed-in user (docs/viewer.md): one DICOMweb data source per zone
/// the user may read (<c>intake</c> for identified data, <c>project-{id}</c> for each project they belong to), all on
/// this server's origin so the session's credentials go with every request. OHIF's locked-down defaults are kept:
/// no local-file or <c>?url=</c> data sources, no <c>?configUrl=</c>, no <c>?customization=</c> loading.
/// </summary>
public static class ViewerConfig
{
    public const string IntakeSource = "intake";

    public static string ProjectSource(string projectId) => "project-" + projectId;

    /// <summary>
    /// The script. <paramref name="pathBase"/> is the path of <c>--public-url</c> ("" when none);
    /// <paramref name="writtenOrigin"/> is what this server starts the BulkDataURIs of its metadata with
    /// (<see cref="Dicomweb.DicomwebUrls.Origin"/>): the viewer replaces it with the origin the page itself was loaded
    /// from, so bulk data (ICC profiles, overlays…) is fetched through whatever proxy served the page.
    /// </summary>
    /// <param name="requestToken">The antiforgery request token of the user's session (null for clients without a session
    /// cookie): the viewer's own state-changing requests (STOW-RS of a segmentation) carry it as <c>X-CSRF-TOKEN</c>, which
    /// <see cref="Security.RequestForgeryGuard"/> asks of every cookie-authenticated POST. The viewer's DICOMweb client
    /// sends no header of a configuration's choosing (only <c>Authorization</c>), so the script adds it to the page's
    /// same-origin XMLHttpRequests that change state.</param>
    public static string Script(IReadOnlyList<ViewerSource> sources, string pathBase, string writtenOrigin, string? requestToken = null)
    {
        var js = new StringBuilder();
        js.Append("// Written by Mira for the signed-in user; see docs/viewer.md.\n");
        js.Append("(function () {\n");
        js.Append("  var origin = window.location.origin + ").Append(Json(pathBase)).Append(";\n");
        js.Append("  var written = ").Append(Json(writtenOrigin)).Append(";\n");
        js.Append("  var sources = ").Append(JsonSerializer.Serialize(sources.Select(s => new { name = s.Name, friendlyName = s.FriendlyName, root = s.RootPath, stores = s.Stores }))).Append(";\n");
        js.Append("  var csrf = ").Append(requestToken is null ? "null" : Json(requestToken)).Append(";\n");
        js.Append("""
          if (csrf) {
            var open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
            XMLHttpRequest.prototype.open = function (method, url) {
              this.miraChanges = !/^(GET|HEAD|OPTIONS)$/i.test(method) && new URL(url, window.location.href).origin === window.location.origin;
              return open.apply(this, arguments);
            };
            XMLHttpRequest.prototype.send = function () {
              if (this.miraChanges) this.setRequestHeader('X-CSRF-TOKEN', csrf);
              return send.apply(this, arguments);
            };
          }
          function dicomweb(s) {
            var root = origin + s.root;
            return {
              namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
              sourceName: s.name,
              configuration: {
                friendlyName: s.friendlyName,
                name: s.name,
                wadoUriRoot: root,
                qidoRoot: root,
                wadoRoot: root,
                qidoSupportsIncludeField: true,
                supportsReject: false,
                supportsStow: s.stores,
                imageRendering: 'wadors',
                thumbnailRendering: 'thumbnail',
                thumbnailRequestStrategy: 'fetch',
                enableStudyLazyLoad: true,
                supportsFuzzyMatching: true,
                supportsWildcard: true,
                staticWado: false,
                singlepart: 'bulkdata,video',
                bulkDataURI: { enabled: true, relativeResolution: 'studies', startsWith: written, prefixWith: origin },
                omitQuotationForMultipartRequest: true,
              },
            };
          }
          window.config = {
            name: 'mira',
            routerBasename: 
        """);
        js.Append(Json(pathBase + "/viewer")).Append(",\n");
        js.Append("""
            extensions: [],
            modes: [],
            customizationService: {},
            showStudyList: true,
            maxNumberOfWebWorkers: 3,
            showWarningMessageForCrossOrigin: false,
            showCPUFallbackMessage: true,
            showLoadingIndicator: true,
            strictZSpacingForVolumeViewport: true,
            groupEnabledModesFirst: true,
            investigationalUseDialog: { option: 'never' },
            maxNumRequests: { interaction: 100, thumbnail: 5, prefetch: 25 },
            showErrorDetails: 'always',
            defaultDataSourceName: sources.length > 0 ? sources[0].name : undefined,
            dataSources: sources.map(dicomweb),
          };
        })();

        """);
        return js.ToString();
    }

    static string Json(string value) => JsonSerializer.Serialize(value);
}
