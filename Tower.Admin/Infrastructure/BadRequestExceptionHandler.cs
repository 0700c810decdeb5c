using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Answers a request whose parameters could not be bound (thrown as
/// <see cref="BadHttpRequestException"/>, see <see cref="StrictJsonBodies"/>) with a problem: a
/// JSON body that cannot be read is a validation problem naming the field, an empty or
/// <c>null</c> body one naming <c>body</c>; anything else keeps its status, with the reason as detail.
/// </summary>
public sealed class BadRequestExceptionHandler(IOptions<JsonOptions> json) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        // The middleware has taken the endpoint off the context by now; its feature keeps it.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        var body = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: { } type } accepts
                   && accepts.ContentTypes.Contains("application/json")
            ? json.Value.SerializerOptions.GetTypeInfo(type)
            : null;
        IResult problem = (bad.InnerException, body) switch
        {
            (JsonException invalid, not null) => TypedResults.ValidationProblem(JsonBodyErrors.Describe(invalid, body).ToDictionary()),
            (_, not null) when bad.StatusCode == StatusCodes.Status400BadRequest => TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [JsonBodyErrors.BodyField] = ["The body must be a JSON object; it was empty or null."],
            }),
            _ => TypedResults.Problem(statusCode: bad.StatusCode, detail: bad.Message),
        };
        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
