using MonitoredService.FaultInjection;
using MonitoredService.Hosting;
using MonitoredService.Items;
using MonitoredService.Observability;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddServerLimits();
builder.AddItemStore();
builder.AddFaultInjection();

var app = builder.Build();

app.UseObservability();
app.UseFaultInjection();

app.MapObservabilityEndpoints();
app.MapItemsApi();

app.Run();
