// dotnet-aspnet-prod-only: an ASP.NET Core minimal API with a health route.
var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? "8080";

if (args.Contains("--healthcheck"))
{
    // The image has no shell or curl: the app asks its own health route.
    using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    try
    {
        var response = await client.GetAsync($"http://127.0.0.1:{port}/healthz");
        return response.IsSuccessStatusCode ? 0 : 1;
    }
    catch (Exception)
    {
        return 1;
    }
}

var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

app.MapGet("/healthz", () => Health.Status());
app.MapGet("/", () => "Hello from dotnet-aspnet-prod-only\n");

await app.RunAsync();
return 0;

/// <summary>What the health route answers.</summary>
public static class Health
{
    public static string Status() => "ok\n";
}
