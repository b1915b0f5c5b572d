using MonitoredService.FaultInjection;
using MonitoredService.Hosting;
#if (SampleApi)
using MonitoredService.Items;
#endif
using MonitoredService.Observability;
using MonitoredService.Observability.Health;
using MonitoredService.Security;

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args, Console.Out); // Docker's HEALTHCHECK: no shell, no curl in the image
}

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddServerLimits();
builder.AddApiSecurity();
#if (SampleApi)
builder.AddItemStore();
#endif
builder.AddFaultInjection();

var app = builder.Build();

app.UseObservability();
app.UseApiSecurity();
app.UseFaultInjection();

app.MapObservabilityEndpoints();
#if (SampleApi)
app.MapGroup("/api").RequireApiSecurity().MapItemsApi();
#else
// Your API goes under /api, behind its tokens and limits (docs/security.md):
//   app.MapGroup("/api").RequireApiSecurity().MapGet("/orders/{id:long}", ...);
#endif

app.Run();
return 0;
