"""A local stand-in for Salesforce and HubSpot: a synthetic data generator and an HTTP server
that speaks both APIs' wire formats. See README.md beside this file for the data contract."""
