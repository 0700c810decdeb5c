using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The outermost step of every service's pipeline: an exception that nothing else handled is
/// answered with a plain problem details 500 (no message, no stack trace, no source path) and
/// logged by the service, on every port.
/// </summary>
internal sealed class ExceptionAnswers : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseExceptionHandler();
        next(app);
    };
}
