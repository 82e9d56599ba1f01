"""Open311 GeoReport v2, with the extensions real clients use (mySociety's
`servicerequestupdates`, paging, `extensions=true`): a front end over the
journey service, so a request sent this way meets the web form's rules."""
